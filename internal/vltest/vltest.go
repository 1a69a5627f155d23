// Package vltest starts a real VictoriaLogs (v1.52.2) for tests: a log
// store that takes Splunk's HTTP Event Collector, Elasticsearch's _bulk,
// Loki's push API and OTLP logs, each read by its own implementation of
// the protocol, and answers LogsQL queries. The machine sinks' end-to-end
// tests send to it and read back what it stored, so a request it cannot
// read is found by code not written here.
//
// The binary is built from the pinned tools module internal/tools/
// victorialogs by testbin (once, into the cache outside the repository).
package vltest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/styliteag/birdseye/internal/testbin"
)

// Version is the release the tools module pins.
const Version = "v1.52.2"

// program is VictoriaLogs of the tools module (cgo: its zstd).
func program() testbin.Program {
	_, here, _, _ := runtime.Caller(0)
	return testbin.Program{Name: "victoria-logs", Version: Version, Module: filepath.Join(filepath.Dir(here), "..", "tools", "victorialogs"),
		Files: []string{"go.mod", "go.sum", "tools.go"}, Package: "github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs", CGO: true}
}

// Build returns the binary, building it when it is not cached.
func Build() (string, error) { return program().Build() }

// Server is a running VictoriaLogs.
type Server struct {
	// URL is its base, http://127.0.0.1:port: the protocols are under
	// /insert/splunk, /insert/elasticsearch, /insert (Loki's
	// /insert/loki/api/v1/push) and /insert/opentelemetry/v1/logs.
	URL string
	// SyslogTCP and SyslogUDP are where it takes syslog messages (RFC 5424
	// and 3164; octet-counted or newline-framed on TCP), host:port.
	SyslogTCP, SyslogUDP string
	mu                   sync.Mutex
	log                  bytes.Buffer
	cmd                  *exec.Cmd
	exited               chan struct{}
}

// Start runs a server with a fresh data directory until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := Build()
	if err != nil {
		t.Fatal(err)
	}
	addr, syslogTCP, syslogUDP := freePort(t, "tcp"), freePort(t, "tcp"), freePort(t, "udp")
	s := &Server{URL: "http://" + addr, SyslogTCP: syslogTCP, SyslogUDP: syslogUDP, exited: make(chan struct{})}
	s.cmd = exec.Command(bin, "-storageDataPath="+t.TempDir(), "-httpListenAddr="+addr, "-loggerLevel=WARN",
		"-retentionPeriod=100y", "-futureRetention=100y", "-syslog.listenAddr.tcp="+syslogTCP, "-syslog.listenAddr.udp="+syslogUDP,
		"-syslog.timezone=UTC")
	s.cmd.Stdout, s.cmd.Stderr = s, s
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() { s.cmd.Process.Kill(); <-s.exited })
	// Ready when /health answers; bounded by attempts, over when it exits.
	for range 600 {
		if resp, err := http.Get(s.URL + "/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case <-s.exited:
			t.Fatalf("VictoriaLogs exited:\n%s", s.Log())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("VictoriaLogs did not answer on %s:\n%s", addr, s.Log())
	return nil
}

// freePort is a loopback address free a moment ago.
func freePort(t testing.TB, network string) string {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().String()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func (s *Server) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.Write(p)
}

// Log is what the server printed (warnings and errors).
func (s *Server) Log() string { s.mu.Lock(); defer s.mu.Unlock(); return s.log.String() }

// Query makes what was ingested searchable and runs a LogsQL query over
// all time; each result is a stored log's fields.
func (s *Server) Query(t testing.TB, query string) []map[string]string {
	t.Helper()
	if resp, err := http.Get(s.URL + "/internal/force_flush"); err == nil {
		resp.Body.Close()
	}
	resp, err := http.PostForm(s.URL+"/select/logsql/query", url.Values{"query": {query}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("LogsQL %q: HTTP %d: %s", query, resp.StatusCode, body)
	}
	var out []map[string]string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			var m map[string]string
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("LogsQL answer line %q: %v", line, err)
			}
			out = append(out, m)
		}
	}
	return out
}
