// Package pgtest starts a real PostgreSQL server (Debian's postgresql) on
// 127.0.0.1 for tests: initdb into a temporary directory and pg_ctl, as a
// user would run one, with password (SCRAM) logins over TCP. Run as root,
// the server runs as the postgres user, which initdb requires. Without
// PostgreSQL a test is skipped, and fails in CI.
package pgtest

import (
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	_ "github.com/lib/pq"
)

// Password is the superuser's (postgres) password.
const Password = "pgtest-superuser"

// Server is a running PostgreSQL.
type Server struct {
	Port int
	Dir  string // its files: data/, server.log
	bin  string
	cred *syscall.Credential // the postgres user's, when run as root
	t    testing.TB
}

// Bin finds PostgreSQL's programs: on PATH, else Debian's versioned
// directory. "" when there is none.
func Bin() string {
	if p, err := exec.LookPath("initdb"); err == nil {
		// A link on PATH (Debian keeps the programs in a versioned
		// directory): the directory of the programs it points to.
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Dir(p)
	}
	m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(m) == 0 {
		return ""
	}
	return filepath.Dir(m[len(m)-1])
}

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Bin()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PostgreSQL is needed in CI (apt-get install postgresql)")
		}
		t.Skip("skipped: no PostgreSQL here (apt-get install postgresql)")
	}
	s := &Server{bin: bin, t: t}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		t.Fatal(err)
	}
	s.Dir = dir
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		// initdb refuses root: the server runs as postgres, in a
		// directory it owns.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root, PostgreSQL needs the postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		os.Chmod(dir, 0o755)
		os.Chown(dir, uid, gid)
	}
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte(Password+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.run("initdb", "-D", s.data(), "-U", "postgres", "--pwfile", pw, "--auth-local=trust", "--auth-host=scram-sha-256", "-N", "-E", "UTF8", "--locale=C")
	os.Remove(pw)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s.Start()
	t.Cleanup(func() { s.ctl("stop", "-m", "immediate") })
	return s
}

func (s *Server) data() string { return filepath.Join(s.Dir, "data") }

// Start starts the server again after Stop.
func (s *Server) Start() {
	s.t.Helper()
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off", s.Port, s.Dir)
	if out, err := s.ctl("start", "-w", "-t", "120", "-l", filepath.Join(s.Dir, "server.log"), "-o", opts); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.Dir, "server.log"))
		s.t.Fatalf("pg_ctl start: %v %s\n%s", err, out, log)
	}
}

// Stop stops the server (fast: open connections are cut, as a restart
// or a failover cuts them).
func (s *Server) Stop() {
	s.t.Helper()
	if out, err := s.ctl("stop", "-w", "-m", "fast"); err != nil {
		s.t.Fatalf("pg_ctl stop: %v %s", err, out)
	}
}

func (s *Server) ctl(args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(s.bin, "pg_ctl"), append([]string{"-D", s.data()}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	cmd.Dir = s.Dir
	return cmd.CombinedOutput()
}

func (s *Server) run(name string, args ...string) {
	s.t.Helper()
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	cmd.Dir = s.Dir
	if out, err := cmd.CombinedOutput(); err != nil {
		s.t.Fatalf("%s: %v %s", name, err, out)
	}
}

// DSN is a postgres:// URL for the user and database on this server.
func (s *Server) DSN(userName, password, db string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(userName, password), Host: "127.0.0.1:" + strconv.Itoa(s.Port), Path: "/" + db,
		RawQuery: "sslmode=disable"}
	return u.String()
}

// Admin is a connection to db as the superuser, closed when the test ends.
func (s *Server) Admin(db string) *sql.DB {
	s.t.Helper()
	c, err := sql.Open("postgres", s.DSN("postgres", Password, db))
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { c.Close() })
	return c
}

// Exec runs statements in db as the superuser; each must succeed.
func (s *Server) Exec(db string, stmts ...string) {
	s.t.Helper()
	c := s.Admin(db)
	for _, q := range stmts {
		if _, err := c.Exec(q); err != nil {
			s.t.Fatalf("%s: %v", strings.TrimSpace(q), err)
		}
	}
}
