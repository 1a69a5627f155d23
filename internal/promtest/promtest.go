// Package promtest finds Prometheus's promtool for the tests of the
// shipped alert rules and dashboard: $PROMTOOL, else the one on PATH
// (.ci/run installs Debian's prometheus package, which has it), else one
// built once from the module pinned in internal/tools/promtool into the
// user's cache (minutes when cold; the tests say so).
package promtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// Version is the Prometheus module internal/tools/promtool pins.
const Version = "v0.316.0"

var (
	once sync.Once
	path string
	err  error
)

// Path is promtool's path; the test skips without one, and fails in CI.
func Path(t testing.TB) string {
	t.Helper()
	once.Do(func() { path, err = find() })
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("promtool is needed in CI: %v", err)
		}
		t.Skip("skipped: " + err.Error())
	}
	return path
}

func find() (string, error) {
	if p := os.Getenv("PROMTOOL"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("promtool"); err == nil {
		return p, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(cache, "birdseye", "promtool-"+Version)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	_, here, _, _ := runtime.Caller(0)
	mod := filepath.Join(filepath.Dir(here), "..", "tools", "promtool")
	fmt.Fprintf(os.Stderr, "promtest: building promtool %s into %s (minutes, once)\n", Version, bin)
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", err
	}
	tmp := bin + ".tmp"
	cmd := exec.Command("go", "build", "-o", tmp, "github.com/prometheus/prometheus/cmd/promtool")
	cmd.Dir = mod
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("no promtool on PATH, and building it failed: %v\n%s", err, out)
	}
	return bin, os.Rename(tmp, bin)
}
