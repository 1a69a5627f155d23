// Package sshtest starts a real OpenSSH server (Debian's openssh-server)
// on 127.0.0.1 for tests, with its own configuration, host key and one
// authorized client key. Without sshd (or without root, which sshd's
// privilege separation needs) a test is skipped, and fails in CI.
package sshtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Server is a running sshd.
type Server struct {
	Port       int
	Dir        string // its files
	ClientKey  string // private key of the authorized client
	HostKeyPub string // the server's public host key, "ssh-ed25519 AAAA…"
	cmd        *exec.Cmd
	config     string
}

// Start runs sshd until the test ends. extra lines go into sshd_config.
func Start(t testing.TB, extra ...string) *Server {
	t.Helper()
	sshd, err := exec.LookPath("sshd")
	if err != nil {
		sshd = "/usr/sbin/sshd"
	}
	if _, err := os.Stat(sshd); err != nil || os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("sshd is needed in CI (openssh-server, run as root): %v", err)
		}
		t.Skip("skipped: no OpenSSH server here (apt-get install openssh-server; run as root)")
	}
	dir := t.TempDir()
	s := &Server{Dir: dir, ClientKey: filepath.Join(dir, "client")}
	for _, k := range []string{"host", "client"} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, k)).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v %s", err, out)
		}
	}
	pub, _ := os.ReadFile(filepath.Join(dir, "client.pub"))
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), pub, 0o600); err != nil {
		t.Fatal(err)
	}
	hostPub, _ := os.ReadFile(filepath.Join(dir, "host.pub"))
	s.HostKeyPub = strings.Join(strings.Fields(string(hostPub))[:2], " ")
	os.MkdirAll("/run/sshd", 0o755) // privilege separation directory
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s.config = filepath.Join(dir, "sshd_config")
	conf := []string{
		"Port " + strconv.Itoa(s.Port), "ListenAddress 127.0.0.1", "HostKey " + filepath.Join(dir, "host"),
		"PidFile " + filepath.Join(dir, "sshd.pid"), "AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"),
		"PasswordAuthentication no", "KbdInteractiveAuthentication no", "PubkeyAuthentication yes", "UsePAM no",
		"StrictModes no", "PermitRootLogin yes", "Subsystem sftp internal-sftp", "LogLevel ERROR",
	}
	// An extra line replaces the default of the same keyword (sshd refuses
	// a second Subsystem sftp, and takes the first value of most others).
	for _, x := range extra {
		key := strings.Fields(x)[0]
		conf = slices.DeleteFunc(conf, func(l string) bool { return strings.Fields(l)[0] == key })
		conf = append(conf, x)
	}
	if err := os.WriteFile(s.config, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.cmd = exec.Command(sshd, "-D", "-e", "-f", s.config)
	s.cmd.Stderr = nil // the readiness probe makes it complain; a failing test says why itself
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.cmd.Process.Kill(); s.cmd.Wait() })
	for range 100 {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.Port)); err == nil {
			c.Close()
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("sshd did not start listening")
	return nil
}

// KnownHostsLine is the server's line for a known_hosts file.
func (s *Server) KnownHostsLine() string {
	return fmt.Sprintf("[127.0.0.1]:%d %s", s.Port, s.HostKeyPub)
}

// NewHostKey replaces the server's host key (a reinstalled host, or a man
// in the middle) and restarts it on the same port.
func (s *Server) NewHostKey(t testing.TB) {
	t.Helper()
	s.cmd.Process.Kill()
	s.cmd.Wait()
	os.Remove(filepath.Join(s.Dir, "host"))
	os.Remove(filepath.Join(s.Dir, "host.pub"))
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(s.Dir, "host")).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	s.cmd = exec.Command(s.cmd.Path, s.cmd.Args[1:]...)
	s.cmd.Stderr = nil // the readiness probe makes it complain; a failing test says why itself
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.Port)); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("sshd did not restart")
}
