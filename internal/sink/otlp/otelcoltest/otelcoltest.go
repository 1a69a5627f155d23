// Package otelcoltest starts a real OpenTelemetry Collector for tests: the
// collector core (v0.165.0) with its OTLP receiver on a free loopback port
// and its OTLP/HTTP exporter handing every log record on, as JSON, to a
// Backend the test holds. What birdseye sends is thus decoded by the
// collector's own code, not by one written here.
//
// The binary is built from the pinned tools module internal/tools/otelcol
// once per version of that module, into a cache directory outside the
// repository ($NETBIRD_TEST_CACHE, else the user's cache directory, as the
// real NetBird server). A cold build takes a minute or two; a file lock
// keeps two test processes from building it at once.
package otelcoltest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Version is the collector release the tools module pins.
const Version = "v0.165.0"

func toolsModule() string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", "..", "..", "tools", "otelcol")
}

// cacheDir names the build by a hash of the tools module's files.
func cacheDir() (string, error) {
	base := os.Getenv("NETBIRD_TEST_CACHE")
	if base == "" {
		c, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("find a cache directory (set NETBIRD_TEST_CACHE): %w", err)
		}
		base = filepath.Join(c, "birdseye")
	}
	h := sha256.New()
	for _, f := range []string{"go.mod", "go.sum", "main.go"} {
		b, err := os.ReadFile(filepath.Join(toolsModule(), f))
		if err != nil {
			return "", fmt.Errorf("read the tools module: %w", err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", f, len(b))
		h.Write(b)
	}
	return filepath.Join(base, "otelcol-"+Version+"-"+hex.EncodeToString(h.Sum(nil))[:12]), nil
}

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// Build returns the collector binary, building it when it is not cached.
func Build() (string, error) {
	buildOnce.Do(func() { binary, buildErr = build() })
	return binary, buildErr
}

func build() (string, error) {
	dir, err := cacheDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "otelcol")
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
	cmd := exec.Command("go", "build", "-trimpath", "-o", tmp, ".")
	cmd.Dir = toolsModule()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the OpenTelemetry Collector %s: %v\n%s", Version, err, out)
	}
	return bin, os.Rename(tmp, bin)
}

// Collector is a running collector.
type Collector struct {
	// Endpoint is its OTLP/HTTP logs endpoint.
	Endpoint string
	addr     string
	config   string
	mu       sync.Mutex
	cmd      *exec.Cmd
	exited   chan struct{}
	log      *strings.Builder
}

// Start runs a collector until the test ends. Every log record it takes
// goes on to the backend (an http(s) URL of a Backend) with headers; the
// exporter has no queue and no retry, so the collector answers birdseye
// only once the backend took the records, and a backend that fails makes
// the collector refuse the request as retryable.
func Start(t testing.TB, backend string, headers map[string]string) *Collector {
	t.Helper()
	bin, err := Build()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var hdr strings.Builder
	for k, v := range headers {
		fmt.Fprintf(&hdr, "      %q: %q\n", k, v)
	}
	cfg := fmt.Sprintf(`receivers:
  otlp:
    protocols:
      http:
        endpoint: %q
exporters:
  otlphttp:
    logs_endpoint: %q
    encoding: json
    compression: none
    headers:
%s    retry_on_failure:
      enabled: false
    sending_queue:
      enabled: false
service:
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [otlphttp]
`, addr, strings.TrimSuffix(backend, "/")+"/v1/logs", hdr.String())
	path := filepath.Join(t.TempDir(), "otelcol.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &Collector{Endpoint: "http://" + addr + "/v1/logs", addr: addr, config: path}
	c.start(t, bin)
	t.Cleanup(c.Stop)
	return c
}

func (c *Collector) start(t testing.TB, bin string) {
	t.Helper()
	c.mu.Lock()
	c.log = &strings.Builder{}
	c.cmd = exec.Command(bin, "--config", "file:"+c.config)
	c.cmd.Stdout, c.cmd.Stderr = syncWriter{&c.mu, c.log}, syncWriter{&c.mu, c.log}
	err := c.cmd.Start()
	cmd, exited := c.cmd, make(chan struct{})
	c.exited = exited
	c.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(exited) }()
	// Ready when the receiver listens; bounded by attempts, not a clock,
	// and over at once when the collector exits (a refused configuration).
	for range 600 {
		if conn, err := net.Dial("tcp", c.addr); err == nil {
			conn.Close()
			return
		}
		select {
		case <-exited:
			t.Fatalf("the collector exited:\n%s", c.Log())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("the collector did not listen on %s:\n%s", c.addr, c.Log())
}

// Stop ends the collector (a kill: it holds nothing birdseye did not get an
// answer for, since its exporter has no queue).
func (c *Collector) Stop() {
	c.mu.Lock()
	cmd, exited := c.cmd, c.exited
	c.cmd = nil
	c.mu.Unlock()
	if cmd != nil {
		cmd.Process.Kill()
		<-exited
	}
}

// Restart starts it again on the same port.
func (c *Collector) Restart(t testing.TB) {
	t.Helper()
	c.Stop()
	bin, err := Build()
	if err != nil {
		t.Fatal(err)
	}
	c.start(t, bin)
}

// Log is what the collector printed.
func (c *Collector) Log() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.log.String()
}

type syncWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (s syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
