package realtest

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a running management server.
type Server struct {
	URL     string // http://127.0.0.1:PORT (HTTP API and gRPC share the port)
	Addr    string // 127.0.0.1:PORT, for gRPC clients
	Dir     string // its directory: management.json, server.log, data/
	DataDir string // store.db, events.db, idp.db
	Config  string // management.json
	Key     string // DataStoreEncryptionKey (base64 of 32 bytes)
	Port    int

	OwnerID    string // the owner user the setup made
	OwnerEmail string
	OwnerToken string // a personal access token of the owner

	opts   Options
	client *http.Client
	bins   Binaries
	mu     sync.Mutex
	cmd    *exec.Cmd
	done   chan struct{}
}

// Options change how a server is started.
type Options struct {
	// CertFile and KeyFile make the server speak TLS (HTTP API and gRPC),
	// as it does with --cert-file and --cert-key; CAFile is the CA that
	// signed them, which the kit's clients and nbpeer then trust.
	CertFile, KeyFile, CAFile string
	// Env is more of the server's environment, e.g. its activity store on
	// Postgres (NB_ACTIVITY_EVENT_STORE_ENGINE=postgres and
	// NB_ACTIVITY_EVENT_POSTGRES_DSN).
	Env []string
	// StoreEngine is management.json's StoreConfig.Engine: sqlite (the
	// default) or postgres, whose DSN then goes in Env
	// (NB_STORE_ENGINE_POSTGRES_DSN).
	StoreEngine string
}

// skipOrFail skips a test that cannot have the server here; in CI, where
// .ci/run builds it, the test fails instead.
func skipOrFail(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("the real NetBird server is needed in CI: %v", err)
	}
	t.Skip("skipped: " + err.Error())
}

// Available reports whether the binaries are built; tests that need the
// server call Start, which skips for them.
func Available() bool { _, err := Find(); return err == nil }

// Start runs a fresh server until the test ends and sets up its owner
// (with a token). Several may run at once: each has its own port and
// directory.
func Start(t testing.TB) *Server { t.Helper(); return StartWith(t, Options{}) }

// StartWith is Start with options (TLS).
func StartWith(t testing.TB, o Options) *Server {
	t.Helper()
	bins, err := Find()
	if err != nil {
		skipOrFail(t, err)
	}
	key := make([]byte, 32)
	rand.Read(key)
	s := &Server{Dir: t.TempDir(), Key: base64.StdEncoding.EncodeToString(key), bins: bins, opts: o}
	if s.client, err = o.httpClient(); err != nil {
		t.Fatal(err)
	}
	s.DataDir = filepath.Join(s.Dir, "data")
	s.Config = filepath.Join(s.Dir, "management.json")
	if err := os.MkdirAll(s.DataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("NetBird server log (last 4 KiB):\n%s", s.logTail(4096))
		}
	})
	// A port picked free can be taken before the server binds it (another
	// package's tests run beside this one): then try another.
	for attempt := 0; ; attempt++ {
		s.Port = freePortPair(t)
		s.URL = fmt.Sprintf("%s://127.0.0.1:%d", o.scheme(), s.Port)
		s.Addr = fmt.Sprintf("127.0.0.1:%d", s.Port)
		if err := s.writeConfig(); err != nil {
			t.Fatal(err)
		}
		err := s.launch()
		if err == nil {
			break
		}
		if attempt == 4 || !strings.Contains(s.logTail(8192), "address already in use") {
			t.Fatalf("start the NetBird server: %v\n%s", err, s.logTail(4096))
		}
	}
	s.setupOwner(t)
	return s
}

// freePortPair returns a port p with p and p+1 (metrics) free on loopback.
func freePortPair(t testing.TB) int {
	t.Helper()
	for range 100 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := ln.Addr().(*net.TCPAddr).Port
		ln2, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p+1))
		ln.Close()
		if err == nil {
			ln2.Close()
			return p
		}
	}
	t.Fatal("no two free ports side by side on 127.0.0.1")
	return 0
}

// writeConfig writes management.json: SQLite stores, the embedded IdP on
// the same port, and relay/signal/STUN addresses that nothing dials.
func (s *Server) writeConfig() error {
	issuer := s.URL + "/oauth2"
	conf := map[string]any{
		"Stuns":                  []any{map[string]any{"Proto": "udp", "URI": "stun:127.0.0.1:3478"}},
		"Relay":                  map[string]any{"Addresses": []string{"rels://127.0.0.1:33080"}, "CredentialsTTL": "24h", "Secret": "relaysecret"},
		"Signal":                 map[string]any{"Proto": "http", "URI": "127.0.0.1:10000"},
		"Datadir":                s.DataDir,
		"DataStoreEncryptionKey": s.Key,
		"HttpConfig": map[string]any{"AuthIssuer": issuer, "AuthAudience": "netbird-dashboard", "CLIAuthAudience": "netbird-cli",
			"AuthUserIDClaim": "sub", "AuthKeysLocation": issuer + "/keys"},
		"StoreConfig": map[string]any{"Engine": cmp.Or(s.opts.StoreEngine, "sqlite")},
		"EmbeddedIdP": map[string]any{"Enabled": true, "Issuer": issuer, "LocalAddress": s.Addr,
			"Storage": map[string]any{"Type": "sqlite3", "Config": map[string]any{"File": filepath.Join(s.DataDir, "idp.db")}}},
	}
	b, err := json.MarshalIndent(conf, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(s.Config, b, 0o600)
}

// launch starts the process and waits until GET /api/instance answers, or
// the process ends.
func (s *Server) launch() error {
	logf, err := os.OpenFile(filepath.Join(s.Dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(s.bins.Management, "management", "--config", s.Config, "--datadir", s.DataDir,
		"--port", strconv.Itoa(s.Port), "--metrics-port", strconv.Itoa(s.Port+1), "--disable-legacy-port",
		"--disable-anonymous-metrics", "--log-file", "console", "--log-level", "info")
	if s.opts.CertFile != "" {
		cmd.Args = append(cmd.Args, "--cert-file", s.opts.CertFile, "--cert-key", s.opts.KeyFile)
	}
	cmd.Env = append(append(os.Environ(), "NB_SETUP_PAT_ENABLED=true", "NB_DISABLE_GEOLOCATION=true"), s.opts.Env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	// Bounded by count; a process that ends stops the wait at once.
	for range 2400 {
		select {
		case <-done:
			return fmt.Errorf("the server exited: %v", cmd.ProcessState)
		default:
		}
		if resp, err := s.client.Get(s.URL + "/api/instance"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.Stop()
	return fmt.Errorf("the server did not answer /api/instance")
}

// Stop ends the server (SIGTERM, then SIGKILL) and waits for it.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(os.Interrupt)
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

// Restart stops the server and starts it again on the same port and data.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	if err := s.launch(); err != nil {
		t.Fatalf("restart the NetBird server: %v\n%s", err, s.logTail(4096))
	}
}

func (s *Server) logTail(n int64) string {
	f, err := os.Open(filepath.Join(s.Dir, "server.log"))
	if err != nil {
		return ""
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > n {
		f.Seek(st.Size()-n, io.SeekStart)
	}
	b, _ := io.ReadAll(f)
	return string(b)
}

func (s *Server) setupOwner(t testing.TB) {
	t.Helper()
	s.OwnerEmail = "owner@example.com"
	var out struct {
		Token  string `json:"personal_access_token"`
		UserID string `json:"user_id"`
	}
	s.MustDo(t, "", "POST", "/api/setup", map[string]any{"email": s.OwnerEmail, "password": "Birdseye-Test-Passw0rd!",
		"name": "Owner", "create_pat": true, "pat_expire_in": 30}, &out)
	if out.Token == "" || out.UserID == "" {
		t.Fatalf("setup gave no token or user id")
	}
	s.OwnerToken, s.OwnerID = out.Token, out.UserID
}

// Do sends one API request with token (none when empty) and returns the
// status and body. body is sent as JSON unless it is nil.
func (s *Server) Do(method, path, token string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Token "+token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// MustDo is Do that fails the test unless the answer is 2xx, and decodes
// the answer into out (when not nil).
func (s *Server) MustDo(t testing.TB, token, method, path string, body, out any) {
	t.Helper()
	code, b, err := s.Do(method, path, token, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if code/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, path, code, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
}

// sleep is the pause between two looks at the server while waiting on it.
func sleep() { time.Sleep(50 * time.Millisecond) }

func (o Options) scheme() string {
	if o.CertFile != "" {
		return "https"
	}
	return "http"
}

// httpClient trusts CAFile besides the system's roots.
func (o Options) httpClient() (*http.Client, error) {
	c := &http.Client{Timeout: 30 * time.Second}
	if o.CAFile == "" {
		return c, nil
	}
	pem, err := os.ReadFile(o.CAFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no certificate", o.CAFile)
	}
	c.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	return c, nil
}
