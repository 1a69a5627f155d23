// Package sshremote is birdseye's SSH client for the jobs that ship to
// another host: it connects with a key, checks the host key the way
// OpenSSH's StrictHostKeyChecking does (yes, accept-new, no), runs commands
// and moves files over SFTP. The image has no ssh binary: this is all of it.
package sshremote

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// The host key policies, as OpenSSH's StrictHostKeyChecking.
const (
	StrictYes       = "yes"        // the key must be in the known-hosts file
	StrictAcceptNew = "accept-new" // an unknown host's key is learned; a changed key is refused
	StrictNo        = "no"         // any key (only for a network you trust)
)

// Config is one remote host.
type Config struct {
	Host       string // user@host (user root when none is given, as ssh in a root container)
	Port       int    // 22 when 0
	KeyFile    string // private key (OpenSSH or PEM, without a passphrase); empty: ~/.ssh/id_ed25519, id_ecdsa, id_rsa
	KnownHosts string // the known-hosts file; accept-new writes what it learns there
	Strict     string // StrictYes, StrictAcceptNew, StrictNo
	Timeout    time.Duration
	Vars       string // the variables' prefix (OFFSITE), for advice in messages
}

func (c Config) userHost() (user, host string) {
	user, host, ok := strings.Cut(c.Host, "@")
	if !ok {
		return "root", c.Host
	}
	return user, host
}

// Addr is host:port.
func (c Config) Addr() string {
	_, host := c.userHost()
	port := c.Port
	if port == 0 {
		port = 22
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// ErrHostKey is a host key the policy refuses: unknown under yes, or
// changed (a man in the middle, or a reinstalled host).
var ErrHostKey = errors.New("host key refused")

// Client is a connection with its SFTP session.
type Client struct {
	cfg  Config
	conn *ssh.Client
	sftp *sftp.Client
}

// Dial connects and opens SFTP.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.KeyFile == "" {
		cfg.KeyFile = defaultKey()
	}
	key, err := os.ReadFile(cfg.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("read the SSH key: %w", err)
	}
	signer, err := ssh.ParsePrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("SSH key %s: %w (a key without a passphrase is needed)", cfg.KeyFile, err)
	}
	check, err := hostKeyCallback(cfg)
	if err != nil {
		return nil, err
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	user, _ := cfg.userHost()
	sc := &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)}, HostKeyCallback: check, Timeout: timeout}
	d := net.Dialer{Timeout: timeout}
	raw, err := d.DialContext(ctx, "tcp", cfg.Addr())
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", cfg.Addr(), err)
	}
	c, chans, reqs, err := ssh.NewClientConn(raw, cfg.Addr(), sc)
	if err != nil {
		raw.Close()
		return nil, fmt.Errorf("ssh %s@%s: %w", user, cfg.Addr(), err)
	}
	conn := ssh.NewClient(c, chans, reqs)
	s, err := sftp.NewClient(conn)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("sftp on %s: %w", cfg.Addr(), err)
	}
	return &Client{cfg: cfg, conn: conn, sftp: s}, nil
}

// SFTP is the file session.
func (c *Client) SFTP() *sftp.Client { return c.sftp }

// Run runs a command (through the remote's login shell) and returns its
// output, stdout and stderr together; a non-zero exit is an error with the
// output.
func (c *Client) Run(ctx context.Context, cmd string) (string, error) {
	var out bytes.Buffer
	err := c.Stream(ctx, cmd, &out)
	text := strings.TrimRight(out.String(), "\n")
	if err != nil {
		if ctx.Err() != nil {
			return "", err
		}
		return text, fmt.Errorf("%w: %s", err, text)
	}
	return text, nil
}

// Stream runs a command and writes its output, stdout and stderr together,
// to w as it comes: a long install on the standby is watched, not waited
// for. A non-zero exit is an error naming the command's first word.
func (c *Client) Stream(ctx context.Context, cmd string, w io.Writer) error {
	s, err := c.conn.NewSession()
	if err != nil {
		return fmt.Errorf("ssh session: %w", err)
	}
	defer s.Close()
	// stdout and stderr are copied by two goroutines: one locked writer.
	out := &lockedBuffer{w: w}
	s.Stdout, s.Stderr = out, out
	done := make(chan error, 1)
	go func() { done <- s.Run(cmd) }()
	select {
	case err = <-done:
	case <-ctx.Done():
		s.Signal(ssh.SIGKILL)
		return ctx.Err()
	}
	if err != nil {
		// The cause is in what the command said last: a summary (a drill's
		// verdict, a Checkmk line, a failure mail) keeps it.
		if last := out.last(); last != "" {
			return fmt.Errorf("%s on %s: %w; it said: %s", strings.Fields(cmd)[0], c.cfg.Addr(), err, last)
		}
		return fmt.Errorf("%s on %s: %w", strings.Fields(cmd)[0], c.cfg.Addr(), err)
	}
	return nil
}

// Hold starts cmd and keeps its session open until release is called,
// which closes the command's standard input and waits for it to end. It
// returns the first line the command printed (a command that ends before
// printing one gives ""). A lock held this way (flock) is let go when the
// connection drops, whatever happens to this process.
func (c *Client) Hold(ctx context.Context, cmd string) (first string, release func(), err error) {
	s, err := c.conn.NewSession()
	if err != nil {
		return "", nil, fmt.Errorf("ssh session: %w", err)
	}
	in, err := s.StdinPipe()
	if err != nil {
		s.Close()
		return "", nil, err
	}
	out, err := s.StdoutPipe()
	if err != nil {
		s.Close()
		return "", nil, err
	}
	if err := s.Start(cmd); err != nil {
		s.Close()
		return "", nil, fmt.Errorf("%s on %s: %w", strings.Fields(cmd)[0], c.cfg.Addr(), err)
	}
	line := make(chan string, 1)
	go func() {
		r := bufio.NewReader(out)
		l, _ := r.ReadString('\n')
		line <- strings.TrimSpace(l)
		io.Copy(io.Discard, r)
	}()
	select {
	case first = <-line:
	case <-ctx.Done():
		s.Close()
		return "", nil, ctx.Err()
	}
	release = func() {
		in.Close()
		s.Wait()
		s.Close()
	}
	return first, release, nil
}

// ExitStatus is the remote command's exit status in an error of Stream.
func ExitStatus(err error) (int, bool) {
	var ee *ssh.ExitError
	if errors.As(err, &ee) {
		return ee.ExitStatus(), true
	}
	return 0, false
}

// lastLines is how many of the output's last lines a failure keeps.
const lastLines = 3

type lockedBuffer struct {
	mu   sync.Mutex
	w    io.Writer
	tail []byte // the output's end, for last
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tail = append(l.tail, p...)
	if len(l.tail) > 4096 {
		l.tail = l.tail[len(l.tail)-4096:]
	}
	return l.w.Write(p)
}

// last is the output's last non-empty lines, joined with " | ".
func (l *lockedBuffer) last() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var lines []string
	for _, line := range strings.Split(string(l.tail), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines[max(0, len(lines)-lastLines):], " | ")
}

// Close ends the connection.
func (c *Client) Close() error {
	c.sftp.Close()
	return c.conn.Close()
}

// defaultKey is the first of the keys ssh itself would try.
func defaultKey() string {
	home, _ := os.UserHomeDir()
	for _, k := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
		p := filepath.Join(home, ".ssh", k)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return filepath.Join(home, ".ssh", "id_ed25519")
}

// Quote makes s one word for a POSIX shell.
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

var knownMu sync.Mutex // accept-new appends: one writer at a time

func hostKeyCallback(cfg Config) (ssh.HostKeyCallback, error) {
	switch cfg.Strict {
	case StrictNo:
		return ssh.InsecureIgnoreHostKey(), nil
	case StrictYes, StrictAcceptNew:
	default:
		return nil, fmt.Errorf("host key policy %q: expected yes, accept-new or no", cfg.Strict)
	}
	if cfg.KnownHosts == "" {
		return nil, errors.New("no known-hosts file to check the host key against")
	}
	return func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		knownMu.Lock()
		defer knownMu.Unlock()
		if _, err := os.Stat(cfg.KnownHosts); errors.Is(err, os.ErrNotExist) && cfg.Strict == StrictAcceptNew {
			if err := os.WriteFile(cfg.KnownHosts, nil, 0o600); err != nil {
				return fmt.Errorf("create %s: %w", cfg.KnownHosts, err)
			}
		}
		check, err := knownhosts.New(cfg.KnownHosts)
		if err != nil {
			return fmt.Errorf("read %s: %w", cfg.KnownHosts, err)
		}
		err = check(hostname, remote, key)
		var ke *knownhosts.KeyError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &ke) && len(ke.Want) > 0:
			return fmt.Errorf("%w: the host key of %s has CHANGED (it is %s, %s knows another): someone may be in the middle; if the host was reinstalled, remove its line from %s",
				ErrHostKey, hostname, ssh.FingerprintSHA256(key), cfg.KnownHosts, cfg.KnownHosts)
		case errors.As(err, &ke) && cfg.Strict == StrictYes:
			return fmt.Errorf("%w: %s is not in %s (its key is %s); add it there, e.g. ssh-keyscan -p %s %s >> %s, or let %s_SSH_STRICT=accept-new learn it",
				ErrHostKey, hostname, cfg.KnownHosts, ssh.FingerprintSHA256(key), portOf(hostname), hostOf(hostname), cfg.KnownHosts, cfg.Vars)
		case errors.As(err, &ke):
			line := knownhosts.Line([]string{knownhosts.Normalize(hostname)}, key)
			f, ferr := os.OpenFile(cfg.KnownHosts, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
			if ferr != nil {
				return fmt.Errorf("remember the host key in %s: %w", cfg.KnownHosts, ferr)
			}
			defer f.Close()
			if _, ferr := f.WriteString(line + "\n"); ferr != nil {
				return fmt.Errorf("remember the host key in %s: %w", cfg.KnownHosts, ferr)
			}
			return nil
		}
		return err
	}, nil
}

func hostOf(hostport string) string {
	h, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport
	}
	return h
}

func portOf(hostport string) string {
	_, p, err := net.SplitHostPort(hostport)
	if err != nil {
		return "22"
	}
	return p
}

// KnownHostsFile picks where the known hosts live: the configured file when
// it can be written (accept-new learns into it) or only read (yes), else a
// file in the state directory.
func KnownHostsFile(configured, stateDir string) string {
	if configured != "" {
		if f, err := os.OpenFile(configured, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600); err == nil {
			f.Close()
			return configured
		}
		if _, err := os.Stat(configured); err == nil {
			return configured // read-only: fine for yes; accept-new will say it cannot learn
		}
	}
	return filepath.Join(stateDir, "known_hosts")
}
