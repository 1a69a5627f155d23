package realtest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// ServiceUser makes a service user with role (owner is not allowed for a
// service user; admin, user, auditor, network_admin, billing_admin are) and
// a token for it. It returns the user's id and the token.
func (s *Server) ServiceUser(t testing.TB, name, role string) (id, token string) {
	t.Helper()
	var u struct {
		ID string `json:"id"`
	}
	s.MustDo(t, s.OwnerToken, "POST", "/api/users", map[string]any{"name": name, "role": role, "is_service_user": true, "auto_groups": []string{}}, &u)
	return u.ID, s.Token(t, u.ID, name+"-token")
}

// Token makes a personal access token for a user and returns it.
func (s *Server) Token(t testing.TB, userID, name string) string {
	t.Helper()
	var tok struct {
		Plain string `json:"plain_token"`
	}
	s.MustDo(t, s.OwnerToken, "POST", "/api/users/"+userID+"/tokens", map[string]any{"name": name, "expires_in": 30}, &tok)
	if tok.Plain == "" {
		t.Fatalf("token for %s: no plain_token in the answer", userID)
	}
	return tok.Plain
}

// SetupKeyOptions are the choices of a setup key the kit makes.
type SetupKeyOptions struct {
	Ephemeral  bool
	OneOff     bool     // a one-off key instead of a reusable one
	AutoGroups []string // group ids
	UsageLimit int
}

// SetupKey makes a setup key and returns its id and its secret.
func (s *Server) SetupKey(t testing.TB, name string, o SetupKeyOptions) (id, key string) {
	t.Helper()
	typ := "reusable"
	if o.OneOff {
		typ = "one-off"
	}
	groups := o.AutoGroups
	if groups == nil {
		groups = []string{}
	}
	var k struct {
		ID  string `json:"id"`
		Key string `json:"key"`
	}
	s.MustDo(t, s.OwnerToken, "POST", "/api/setup-keys", map[string]any{"name": name, "type": typ, "expires_in": 86400,
		"auto_groups": groups, "usage_limit": o.UsageLimit, "ephemeral": o.Ephemeral}, &k)
	return k.ID, k.Key
}

// Group makes a group (with peers, by id) and returns its id.
func (s *Server) Group(t testing.TB, name string, peers ...string) string {
	t.Helper()
	if peers == nil {
		peers = []string{}
	}
	var g struct {
		ID string `json:"id"`
	}
	s.MustDo(t, s.OwnerToken, "POST", "/api/groups", map[string]any{"name": name, "peers": peers}, &g)
	return g.ID
}

// Peer is one enrolled peer.
type Peer struct {
	Hostname  string `json:"hostname"`
	PublicKey string `json:"public_key"`
	IP        string `json:"ip"`
	ID        string `json:"-"` // the API's id, found by IP
}

// Peers are peers enrolled by one nbpeer process.
type Peers struct {
	List []Peer
	cmd  *exec.Cmd
	in   io.WriteCloser
	done chan struct{}
}

// Disconnect ends the peers' Sync streams: the server then shows them as
// disconnected (and deletes ephemeral ones after its own delay). It waits
// for the process to end.
func (p *Peers) Disconnect() {
	if p.cmd == nil {
		return
	}
	p.in.Close()
	<-p.done
	p.cmd = nil
}

// Enrol registers one peer per hostname with the setup key. With stay the
// peers keep a Sync stream open (they show as connected) until Disconnect
// or the end of the test. Each peer's API id is filled in.
func (s *Server) Enrol(t testing.TB, setupKey string, stay bool, hostnames ...string) *Peers {
	t.Helper()
	args := []string{"--addr", s.Addr, "--setup-key", setupKey}
	for _, h := range hostnames {
		args = append(args, "--hostname", h)
	}
	if stay {
		args = append(args, "--stay")
	}
	cmd := exec.Command(s.bins.Peer, args...)
	if s.opts.CertFile != "" {
		cmd.Args = append(cmd.Args, "--tls")
		cmd.Env = append(os.Environ(), "SSL_CERT_FILE="+s.opts.CAFile) // Go's roots on Linux
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &Peers{cmd: cmd, in: in, done: make(chan struct{})}
	sc := bufio.NewScanner(out)
	for len(p.List) < len(hostnames) && sc.Scan() {
		var one Peer
		if err := json.Unmarshal(sc.Bytes(), &one); err != nil {
			t.Fatalf("nbpeer: %q: %v", sc.Text(), err)
		}
		p.List = append(p.List, one)
	}
	if stay {
		sc.Scan() // {"syncing":true}
	}
	go func() { io.Copy(io.Discard, out); cmd.Wait(); close(p.done) }()
	if len(p.List) < len(hostnames) {
		in.Close()
		<-p.done
		t.Fatalf("nbpeer enrolled %d of %d peers: %s", len(p.List), len(hostnames), stderr.String())
	}
	t.Cleanup(p.Disconnect)
	byIP := s.peersByIP(t)
	for i := range p.List {
		p.List[i].ID = byIP[p.List[i].IP]
		if p.List[i].ID == "" {
			t.Fatalf("peer %s (%s) is not in /api/peers", p.List[i].Hostname, p.List[i].IP)
		}
	}
	return p
}

func (s *Server) peersByIP(t testing.TB) map[string]string {
	t.Helper()
	var all []struct {
		ID        string `json:"id"`
		IP        string `json:"ip"`
		Connected bool   `json:"connected"`
	}
	s.MustDo(t, s.OwnerToken, "GET", "/api/peers", nil, &all)
	m := map[string]string{}
	for _, p := range all {
		m[p.IP] = p.ID
	}
	return m
}

// WaitConnected waits until the API shows n peers connected. It polls a
// bounded number of times (the Sync streams open within a second or so).
func (s *Server) WaitConnected(t testing.TB, n int) {
	t.Helper()
	got := 0
	for range 600 {
		var all []struct {
			Connected bool `json:"connected"`
		}
		s.MustDo(t, s.OwnerToken, "GET", "/api/peers", nil, &all)
		got = 0
		for _, p := range all {
			if p.Connected {
				got++
			}
		}
		if got == n {
			return
		}
		sleep()
	}
	t.Fatalf("%d peers connected, want %d", got, n)
}

// IDs returns the peers' API ids.
func (p *Peers) IDs() []string {
	ids := make([]string, len(p.List))
	for i, x := range p.List {
		ids[i] = x.ID
	}
	return ids
}

func (p Peer) String() string { return fmt.Sprintf("%s(%s)", p.Hostname, p.IP) }
