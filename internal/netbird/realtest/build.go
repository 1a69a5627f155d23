// Package realtest starts a real NetBird management server (v0.77.1) for
// tests, as sshtest does for sshd and s3test for versitygw: a fresh data
// directory, a free loopback port, the owner's token, service users per
// role, and peers enrolled with NetBird's own gRPC client.
//
// The server is built from the pinned tools module internal/tools/netbird
// (never imported into birdseye) by `make netbird`, once per version, into
// a cache directory outside the repository. A cold build takes minutes, so
// tests never build it: without the binaries they are skipped with the
// command that builds them, and fail in CI.
package realtest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"github.com/styliteag/birdseye/internal/testbin"
)

// Version is the NetBird release the tools module pins.
const Version = "v0.77.1"

// BuildCommand is what a developer runs to get the binaries.
const BuildCommand = "make netbird"

// Binaries are the built programs.
type Binaries struct {
	Management string // the management server
	Peer       string // nbpeer: enrols peers with the module's gRPC client
}

// toolsModule is the directory of internal/tools/netbird.
func toolsModule() string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", "..", "tools", "netbird")
}

// ldflags stamps the version, so /api/instance/version reports 0.77.1
// rather than "development".
const ldflags = "-X github.com/netbirdio/netbird/version.version=0.77.1"

// CacheDir is where the binaries of this version and tools module live:
// $NETBIRD_TEST_CACHE, else the user's cache directory. The name carries a
// hash of the tools module's files, so a change to them builds afresh.
func CacheDir() (string, error) {
	base, err := testbin.Base()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	io.WriteString(h, ldflags)
	for _, f := range []string{"go.mod", "go.sum", "tools.go", "nbpeer/main.go", "wailsstub/go.mod"} {
		b, err := os.ReadFile(filepath.Join(toolsModule(), f))
		if err != nil {
			return "", fmt.Errorf("read the tools module: %w", err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", f, len(b))
		h.Write(b)
	}
	return filepath.Join(base, "netbird-"+Version+"-"+hex.EncodeToString(h.Sum(nil))[:12]), nil
}

// Find returns the built binaries, or an error naming the command that
// builds them.
func Find() (Binaries, error) {
	dir, err := CacheDir()
	if err != nil {
		return Binaries{}, err
	}
	b := Binaries{Management: filepath.Join(dir, "netbird-mgmt"), Peer: filepath.Join(dir, "nbpeer")}
	for _, p := range []string{b.Management, b.Peer} {
		if _, err := os.Stat(p); err != nil {
			return Binaries{}, fmt.Errorf("no real NetBird %s server built here (run `%s`: it builds it once into %s)", Version, BuildCommand, dir)
		}
	}
	return b, nil
}

// Build builds the binaries into the cache directory unless they are
// there. Each is written under a temporary name and renamed, so a test
// never runs half a binary. Output of the go command goes to w.
func Build(w io.Writer) (Binaries, error) {
	if b, err := Find(); err == nil {
		fmt.Fprintf(w, "NetBird %s server already built: %s\n", Version, filepath.Dir(b.Management))
		return b, nil
	}
	dir, err := CacheDir()
	if err != nil {
		return Binaries{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Binaries{}, fmt.Errorf("make the cache directory: %w", err)
	}
	steps := []struct{ out, pkg, cgo string }{
		// The SQLite store needs cgo (mattn/go-sqlite3).
		{"netbird-mgmt", "github.com/netbirdio/netbird/management", "1"},
		{"nbpeer", "./nbpeer", "0"},
	}
	for _, s := range steps {
		tmp := filepath.Join(dir, s.out+".tmp")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", tmp, s.pkg)
		cmd.Dir = toolsModule()
		cmd.Env = append(os.Environ(), "CGO_ENABLED="+s.cgo)
		cmd.Stdout, cmd.Stderr = w, w
		fmt.Fprintf(w, "building %s (%s) …\n", s.out, s.pkg)
		if err := cmd.Run(); err != nil {
			return Binaries{}, fmt.Errorf("build %s: %w", s.pkg, err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, s.out)); err != nil {
			return Binaries{}, err
		}
	}
	return Find()
}
