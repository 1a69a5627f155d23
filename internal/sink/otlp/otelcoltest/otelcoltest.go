// Package otelcoltest starts a real OpenTelemetry Collector for tests: the
// collector core (v0.165.0) with its OTLP receiver on a free loopback port
// and its OTLP/HTTP exporter handing every log record on, as JSON, to a
// Backend the test holds. What birdseye sends is thus decoded by the
// collector's own code, not by one written here.
//
// The binary is built from the pinned tools module internal/tools/otelcol
// by testbin (once, into the cache outside the repository); a cold build
// takes a minute or two.
package otelcoltest

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/styliteag/birdseye/internal/testbin"
)

// Version is the collector release the tools module pins.
const Version = "v0.165.0"

// program is the collector of the tools module.
func program() testbin.Program {
	_, here, _, _ := runtime.Caller(0)
	return testbin.Program{Name: "otelcol", Version: Version, Module: filepath.Join(filepath.Dir(here), "..", "..", "..", "tools", "otelcol"),
		Files: []string{"go.mod", "go.sum", "main.go"}, Package: "."}
}

// Build returns the collector binary, building it when it is not cached.
func Build() (string, error) { return program().Build() }

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
