// Package testbin builds the third-party programs the tests start (a real
// OpenTelemetry Collector, a real VictoriaLogs) from their pinned tools
// modules, once per content of the module, into the cache directory
// outside the repository that also holds the real NetBird server
// ($NETBIRD_TEST_CACHE, else the user's cache directory). A file lock
// keeps two test processes from building the same program at once; the
// binary is written under a temporary name and renamed, so no test ever
// runs half of one.
package testbin

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
)

// Program is one program of a tools module.
type Program struct {
	Name    string   // the binary's name, and its cache directory's prefix with Version
	Version string   // the release the module pins
	Module  string   // the tools module's directory
	Files   []string // the module's files whose content names the build
	Package string   // what `go build` builds there: "." or an import path
	CGO     bool
}

// Base is the cache directory every test program lives under.
func Base() (string, error) {
	if base := os.Getenv("NETBIRD_TEST_CACHE"); base != "" {
		return base, nil
	}
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find a cache directory (set NETBIRD_TEST_CACHE): %w", err)
	}
	return filepath.Join(c, "birdseye"), nil
}

// Dir is where this build of the program lives: its name carries a hash
// of the module's files, so a change to them builds afresh.
func (p Program) Dir() (string, error) {
	base, err := Base()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, f := range p.Files {
		b, err := os.ReadFile(filepath.Join(p.Module, f))
		if err != nil {
			return "", fmt.Errorf("read the tools module: %w", err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", f, len(b))
		h.Write(b)
	}
	return filepath.Join(base, p.Name+"-"+p.Version+"-"+hex.EncodeToString(h.Sum(nil))[:12]), nil
}

var (
	mu     sync.Mutex
	builds = map[string]*result{}
)

type result struct {
	once sync.Once
	bin  string
	err  error
}

// Build returns the program's binary, building it when it is not cached
// (once per process, whatever the number of callers).
func (p Program) Build() (string, error) {
	mu.Lock()
	r := builds[p.Name]
	if r == nil {
		r = &result{}
		builds[p.Name] = r
	}
	mu.Unlock()
	r.once.Do(func() { r.bin, r.err = p.build() })
	return r.bin, r.err
}

func (p Program) build() (string, error) {
	dir, err := p.Dir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, p.Name)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("make the cache directory: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", fmt.Errorf("lock the cache directory: %w", err)
	}
	if _, err := os.Stat(bin); err == nil {
		return bin, nil // another process built it while this one waited
	}
	tmp := bin + ".tmp"
	cmd := exec.Command("go", "build", "-trimpath", "-o", tmp, p.Package)
	cmd.Dir = p.Module
	cmd.Env = append(os.Environ(), "CGO_ENABLED="+map[bool]string{true: "1", false: "0"}[p.CGO])
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s %s: %v\n%s", p.Name, p.Version, err, out)
	}
	return bin, os.Rename(tmp, bin)
}
