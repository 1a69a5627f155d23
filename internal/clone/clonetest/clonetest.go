// Package clonetest puts a primary and a standby on this machine for the
// standby clone's end-to-end tests: the primary is nbstandin serving the
// management API from a NetBird-shaped store.db on 127.0.0.1; the standby
// is this machine's real Docker engine, reached over a real sshd
// (sshtest), running stacks whose "NetBird" is nbstandin in a scratch image
// on 127.0.0.2, serving the store the clone installed. Both speak TLS with
// a certificate of a test CA for the same name, so verify checks the chain
// and compares real counts. Without a Docker engine a test is skipped, and
// fails in CI.
package clonetest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the primary's store

	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/styliteag/birdseye/internal/sshremote/sshtest"
)

// Token is the API token both sides accept.
const Token = "nbp_clonetest0000000000000000000000000"

// StandbyIP is where the standby's stacks listen: another loopback
// address, so the primary and the standby share a port as in production.
const StandbyIP = "127.0.0.2"

// HotHost is the name a second stack of the standby answers for (a hot
// standby of its own name); the test certificate holds it too.
const HotHost = "nb2.example.test"

// RequireEngine skips the test without a reachable Docker engine (fails it
// in CI, where .ci/run starts one).
func RequireEngine(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("docker"); err == nil && exec.Command("docker", "info").Run() == nil {
		if _, err := exec.LookPath("docker-compose"); err == nil || exec.Command("docker", "compose", "version").Run() == nil {
			return
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Docker engine with compose reachable in CI: .ci/run should have started one (DOCKER_HOST)")
	}
	t.Skip("skipped: no Docker engine with docker compose reachable (set DOCKER_HOST or start dockerd)")
}

// Docker runs the docker CLI and fails the test when it fails.
func Docker(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command("docker", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// World is one primary and what its standby stacks need.
type World struct {
	Dir       string
	Binary    string // nbstandin
	Image     string // nbstandin in a scratch image
	CA        string // the test CA (CLONE_CA_FILE)
	cert, key string
	Port      int
	URL       string // the primary, https://127.0.0.1:<port>
	StoreDB   string // the primary's store.db
	primary   *exec.Cmd
}

// New builds nbstandin and its image, writes the primary's store with
// peers peers, and starts the primary. Everything goes when the test ends.
func New(t testing.TB, peers int) *World {
	t.Helper()
	RequireEngine(t)
	w := &World{Dir: t.TempDir()}
	w.Binary = filepath.Join(w.Dir, "nbstandin")
	build := exec.Command("go", "build", "-o", w.Binary, "github.com/styliteag/birdseye/internal/clone/clonetest/nbstandin")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build nbstandin: %v\n%s", err, out)
	}
	ctx := filepath.Join(w.Dir, "image")
	must(t, os.MkdirAll(ctx, 0o755))
	must(t, os.Link(w.Binary, filepath.Join(ctx, "nbstandin")))
	must(t, os.WriteFile(filepath.Join(ctx, "Dockerfile"), []byte("FROM scratch\nCOPY nbstandin /nbstandin\nENTRYPOINT [\"/nbstandin\"]\n"), 0o644))
	w.Image = fmt.Sprintf("birdseye-clonetest-nbstandin:%d", time.Now().UnixNano())
	Docker(t, "build", "-q", "-t", w.Image, ctx)
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", w.Image).Run() })
	w.certs(t)
	w.Port = freePort(t)
	w.URL = "https://127.0.0.1:" + strconv.Itoa(w.Port)
	w.StoreDB = filepath.Join(w.Dir, "primary", "store.db")
	must(t, os.MkdirAll(filepath.Dir(w.StoreDB), 0o755))
	w.writeStore(t, peers)
	w.primary = exec.Command(w.Binary, "-db", w.StoreDB, "-listen", "127.0.0.1:"+strconv.Itoa(w.Port), "-cert", w.cert, "-key", w.key, "-token", Token)
	must(t, w.primary.Start())
	t.Cleanup(func() { w.primary.Process.Kill(); w.primary.Wait() })
	w.waitServing(t, "127.0.0.1")
	return w
}

// Stack writes a standby stack into root: a compose file whose management
// service is nbstandin on StandbyIP, serving root/<dbDir>/store.db, with
// the certificate the standby's ingress would hold for the primary's name.
// Its containers go when the test ends.
func (w *World) Stack(t testing.TB, root, project, dbDir string) {
	t.Helper()
	w.StackOn(t, root, project, dbDir, StandbyIP)
}

// StackOn is Stack listening on another loopback address: a second stack
// of the standby (a hot standby beside the failover target).
func (w *World) StackOn(t testing.TB, root, project, dbDir, ip string) {
	t.Helper()
	w.tls(t, root)
	compose := fmt.Sprintf(`version: "2.4"
services:
  management:
    image: %s
    network_mode: host
    volumes:
      - ./%s:/data:ro
      - ./tls:/tls:ro
    command: ["-db", "/data/store.db", "-listen", "%s:%d", "-cert", "/tls/cert.pem", "-key", "/tls/key.pem", "-token", "%s"]
`, w.Image, dbDir, ip, w.Port, Token)
	must(t, os.WriteFile(filepath.Join(root, "docker-compose.yml"), []byte(compose), 0o644))
	t.Cleanup(func() { RemoveProject(project) })
}

// Ingress writes a stand-in for the standby's ingress (Traefik) into root:
// a compose stack on StandbyIP that passes each request to the stack its
// host name routes to (name -> ip, on the World's port), with an ACME store
// holding the standby's own account and certificate, for the merge.
func (w *World) Ingress(t testing.TB, root, project, acme string, routes map[string]string) {
	t.Helper()
	w.tls(t, root)
	args := fmt.Sprintf(`"-listen", "%s:%d", "-cert", "/tls/cert.pem", "-key", "/tls/key.pem"`, StandbyIP, w.Port)
	for name, ip := range routes {
		args += fmt.Sprintf(`, "-route", "%s=%s:%d"`, name, ip, w.Port)
	}
	compose := fmt.Sprintf(`version: "2.4"
services:
  traefik:
    image: %s
    network_mode: host
    volumes:
      - ./tls:/tls:ro
    command: [%s]
`, w.Image, args)
	must(t, os.WriteFile(filepath.Join(root, "docker-compose.yml"), []byte(compose), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "acme.json"), []byte(acme), 0o600))
	t.Cleanup(func() { RemoveProject(project) })
}

// tls puts the certificate for the primary's name into root/tls, as the
// standby's own ingress would hold it.
func (w *World) tls(t testing.TB, root string) {
	t.Helper()
	must(t, os.MkdirAll(filepath.Join(root, "tls"), 0o755))
	for _, f := range []string{w.cert, w.key} {
		b, err := os.ReadFile(f)
		must(t, err)
		must(t, os.WriteFile(filepath.Join(root, "tls", filepath.Base(f)), b, 0o600))
	}
}

// RemoveProject removes a compose project's containers, whatever state
// the test left them in.
func RemoveProject(project string) {
	ids, _ := exec.Command("docker", "ps", "-aq", "--filter", "label=com.docker.compose.project="+project).Output()
	if f := strings.Fields(string(ids)); len(f) > 0 {
		exec.Command("docker", append([]string{"rm", "-f"}, f...)...).Run()
	}
	// Its networks too: each holds one of the engine's few address pools
	// (about 30), and an engine that keeps its data between runs would
	// run out of them ("could not find an available, non-overlapping IPv4
	// address pool").
	nets, _ := exec.Command("docker", "network", "ls", "-q", "--filter", "label=com.docker.compose.project="+project).Output()
	if f := strings.Fields(string(nets)); len(f) > 0 {
		exec.Command("docker", append([]string{"network", "rm"}, f...)...).Run()
	}
}

// Running lists the running containers of a compose project.
func Running(t testing.TB, project string) []string {
	t.Helper()
	return strings.Fields(Docker(t, "ps", "-q", "--filter", "label=com.docker.compose.project="+project))
}

// AddPeer adds a peer to the primary's store.
func (w *World) AddPeer(t testing.TB, id string) {
	t.Helper()
	db := open(t, w.StoreDB)
	defer db.Close()
	_, err := db.Exec(`INSERT INTO peers (id, account_id, name) VALUES (?, 'acc1', ?)`, id, id)
	must(t, err)
}

// Count is the rows of table in a store.
func Count(t testing.TB, store, table string) int {
	t.Helper()
	db := open(t, store)
	defer db.Close()
	var n int
	must(t, db.QueryRow("SELECT count(*) FROM "+table).Scan(&n))
	return n
}

func (w *World) writeStore(t testing.TB, peers int) {
	db := open(t, w.StoreDB)
	defer db.Close()
	for _, s := range []string{
		`PRAGMA journal_mode=WAL`,
		`CREATE TABLE accounts (id TEXT PRIMARY KEY, domain TEXT)`,
		`CREATE TABLE peers (id TEXT PRIMARY KEY, account_id TEXT, name TEXT)`,
		`CREATE TABLE groups (id TEXT PRIMARY KEY, account_id TEXT, name TEXT)`,
		`CREATE TABLE policies (id TEXT PRIMARY KEY, account_id TEXT, name TEXT)`,
		`CREATE TABLE networks (id TEXT PRIMARY KEY, account_id TEXT, name TEXT)`,
		`CREATE TABLE users (id TEXT PRIMARY KEY, account_id TEXT, role TEXT)`,
		`CREATE TABLE setup_keys (id TEXT PRIMARY KEY, account_id TEXT, name TEXT)`,
		`CREATE TABLE posture_checks (id TEXT PRIMARY KEY, account_id TEXT, name TEXT)`,
		`INSERT INTO accounts VALUES ('acc1', 'netbird.selfhosted')`,
		`INSERT INTO groups VALUES ('g1', 'acc1', 'All'), ('g2', 'acc1', 'admins')`,
		`INSERT INTO policies VALUES ('p1', 'acc1', 'Default')`,
		`INSERT INTO users VALUES ('u1', 'acc1', 'owner'), ('u2', 'acc1', 'admin')`,
		`INSERT INTO setup_keys VALUES ('k1', 'acc1', 'ci')`,
	} {
		_, err := db.Exec(s)
		must(t, err)
	}
	for i := range peers {
		_, err := db.Exec(`INSERT INTO peers VALUES (?, 'acc1', ?)`, fmt.Sprintf("peer%03d", i), fmt.Sprintf("host-%d", i))
		must(t, err)
	}
}

func open(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(5000)")
	must(t, err)
	return db
}

// WaitStandby waits until a started stack serves on StandbyIP.
func (w *World) WaitStandby(t testing.TB) { w.waitServing(t, StandbyIP) }

func (w *World) waitServing(t testing.TB, ip string) {
	t.Helper()
	addr := net.JoinHostPort(ip, strconv.Itoa(w.Port))
	for range 200 {
		if c, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true}); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing serves TLS on %s", addr)
}

// certs makes a CA and a certificate for the primary's name (127.0.0.1,
// an IP SAN: no DNS needed) that the standby presents too.
func (w *World) certs(t testing.TB) { w.CA, w.cert, w.key = Certs(t, w.Dir) }

// Certs writes into dir a test CA (ca.pem) and a certificate for the
// primary's name, 127.0.0.1, and for HotHost (cert.pem, key.pem).
func Certs(t testing.TB, dir string) (ca, cert, key string) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "clonetest CA"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &caKey.PublicKey, caKey)
	must(t, err)
	caCert, err := x509.ParseCertificate(caDER)
	must(t, err)
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(24 * time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{HotHost}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &leafKey.PublicKey, caKey)
	must(t, err)
	keyDER, err := x509.MarshalECPrivateKey(leafKey)
	must(t, err)
	ca, cert, key = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	must(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644))
	must(t, os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644))
	must(t, os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	return ca, cert, key
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		_, file, line, _ := runtime.Caller(1)
		t.Fatalf("%s:%d: %v", filepath.Base(file), line, err)
	}
}

// SSHD starts a real sshd for the standby whose sessions reach this
// machine's Docker engine (DOCKER_HOST passed on, as the standby's own
// docker would find its socket).
func SSHD(t testing.TB) *sshtest.Server {
	t.Helper()
	var extra []string
	if h := os.Getenv("DOCKER_HOST"); h != "" {
		extra = append(extra, "SetEnv DOCKER_HOST="+h)
	}
	return sshtest.Start(t, extra...)
}

// Registry starts an OCI registry (go-containerregistry's, in memory) on
// 127.0.0.1, which the Docker engine pushes to and pulls from without TLS
// (127.0.0.0/8 is an insecure registry by default). It returns host:port.
func Registry(t testing.TB) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// Push tags image as repo:latest, pushes it and returns the digest the
// registry gave it. The repository's images go when the test ends.
func Push(t testing.TB, image, repo string) string {
	t.Helper()
	t.Cleanup(func() {
		// By name, not by id: the same nbstandin built by a test of
		// another package at the same time is the same image, and removing
		// its id would untag that test's image too (its compose file would
		// then try to pull it from Docker Hub).
		refs, _ := exec.Command("docker", "images", "--format", "{{.Repository}}:{{.Tag}}", repo).Output()
		if f := strings.Fields(string(refs)); len(f) > 0 {
			exec.Command("docker", append([]string{"rmi"}, f...)...).Run()
		}
	})
	Docker(t, "tag", image, repo+":latest")
	Docker(t, "push", "-q", repo+":latest")
	for _, d := range strings.Fields(Docker(t, "image", "inspect", "--format", "{{range .RepoDigests}}{{.}} {{end}}", repo+":latest")) {
		if r, digest, ok := strings.Cut(d, "@"); ok && r == repo {
			return digest
		}
	}
	t.Fatalf("%s has no digest after the push", repo)
	return ""
}

// ImageID is the local image id of a reference.
func ImageID(t testing.TB, ref string) string {
	t.Helper()
	return Docker(t, "image", "inspect", "--format", "{{.Id}}", ref)
}

// Socket is the engine's unix socket path (DOCKER_HOST, else the default),
// as CLONE_DOCKER_SOCKET names it.
func Socket() string {
	if h, ok := strings.CutPrefix(os.Getenv("DOCKER_HOST"), "unix://"); ok {
		return h
	}
	return "/var/run/docker.sock"
}
