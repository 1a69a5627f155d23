package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/clone/clonetest"
	"github.com/styliteag/birdseye/internal/netbird/realtest"
)

// The standby clone with a real NetBird on both sides: the primary is a
// real server speaking TLS on 127.0.0.1, the standby is this machine's
// Docker engine reached over a real sshd, its stack the same server in an
// image made by docker import. Stage, install and drill: the standby
// starts from the cloned store.db, events.db and idp.db with the primary's
// management.json, answers as the primary's name, accepts the primary's
// token and holds the same objects.
func TestE2ERealCloneDrillStartsARealServerFromTheClonedStore(t *testing.T) {
	skipUnderRace(t, "the Docker engine does most of the work")
	clonetest.RequireEngine(t)
	ca, cert, key := clonetest.Certs(t, t.TempDir())
	s := realtest.StartWith(t, realtest.Options{CertFile: cert, KeyFile: key, CAFile: ca})
	buildSourceAccount(t, s)
	_, reader := s.ServiceUser(t, "clone-reader", "auditor")
	_, cloneAdmin := s.ServiceUser(t, "clone-admin", "admin") // cloned: works on the standby after a failover
	image := realtest.Image(t)
	sshd := clonetest.SSHD(t)

	root := filepath.Join(t.TempDir(), "standby", "cold")
	project := "bee2erealclone" + strconv.Itoa(s.Port)
	require.NoError(t, os.MkdirAll(filepath.Join(root, "tls"), 0o755))
	for _, f := range []string{cert, key} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(root, "tls", filepath.Base(f)), b, 0o600))
	}
	// The data directory is mounted where the primary has it: management.json
	// names it (Datadir, the IdP's idp.db) by its absolute path. NetBird
	// listens on every interface, the primary too, so on this one machine
	// the standby's port is published on another port of the standby's
	// address (CLONE_STANDBY_IP takes host:port for that).
	published := freeTCPPort(t)
	compose := fmt.Sprintf(`version: "2.4"
services:
  management:
    image: %[1]s
    ports: ["%[2]s:%[5]d:%[3]d"]
    environment: ["NB_DISABLE_GEOLOCATION=true"]
    volumes:
      - ./data/netbird:%[4]s
      - ./management.json:/etc/netbird/management.json
      - ./tls:/tls:ro
    command: ["/netbird-mgmt", "management", "--config", "/etc/netbird/management.json", "--datadir", "%[4]s",
      "--port", "%[3]d", "--disable-legacy-port", "--disable-anonymous-metrics", "--log-file", "console",
      "--cert-file", "/tls/cert.pem", "--cert-key", "/tls/key.pem"]
`, image, clonetest.StandbyIP, s.Port, s.DataDir, published)
	require.NoError(t, os.WriteFile(filepath.Join(root, "docker-compose.yml"), []byte(compose), 0o644))
	t.Cleanup(func() { clonetest.RemoveProject(project) })

	env := []string{
		"PATH=" + os.Getenv("PATH"), "TZ=UTC", "STATE_FILE=" + filepath.Join(t.TempDir(), "state.json"),
		"NB_URL=" + s.URL, "NB_API_KEY=" + reader, "CLONE_CA_FILE=" + ca,
		"CLONE_SSH_HOST=root@127.0.0.1", "CLONE_SSH_PORT=" + strconv.Itoa(sshd.Port), "CLONE_SSH_KEY=" + sshd.ClientKey,
		"CLONE_SSH_KNOWN_HOSTS=" + filepath.Join(t.TempDir(), "known_hosts"),
		"CLONE_TARGETS=cold", "CLONE_COLD_ROOT=" + root, "CLONE_COLD_PROJECT=" + project,
		"CLONE_DB_PATHS=" + strings.Join([]string{filepath.Join(s.DataDir, "store.db"), filepath.Join(s.DataDir, "events.db"), filepath.Join(s.DataDir, "idp.db")}, ","),
		"CLONE_CONFIG_FILES=" + s.Config,
		"CLONE_STAGE_DIR=" + filepath.Join(t.TempDir(), "stage"), "CLONE_STANDBY_IP=" + clonetest.StandbyIP + ":" + strconv.Itoa(published),
	}
	clone := func(args ...string) (int, string) { return runTool(t, env, append([]string{"clone"}, args...)...) }

	code, out := clone("stage")
	require.Equal(t, 0, code, out)
	code, out = clone("install", "--yes")
	require.Equal(t, 0, code, out)
	require.FileExists(t, filepath.Join(root, "data", "netbird", "store.db"))
	require.FileExists(t, filepath.Join(root, "data", "netbird", "idp.db"))
	require.FileExists(t, filepath.Join(root, "management.json"))

	code, out = clone("drill", "cold", "--yes")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "(chain verified against CLONE_CA_FILE)")
	require.Regexp(t, `account id +(\S+) +(\S+) +ok`, out)
	require.Regexp(t, `peers +4 +4 +ok`, out)
	require.Regexp(t, `policies +6 +6 +ok`, out)
	require.Regexp(t, `setup-keys +4 +4 +ok`, out)
	require.Contains(t, out, "Drill of cold passed.", "the primary's token worked on the standby")
	require.Empty(t, clonetest.Running(t, project), "a cold standby is stopped again after the drill")

	// Failover: the standby becomes the live server, probed where verify
	// reaches it, and from then on birdseye leaves it alone.
	code, out = clone("failover", "--yes")
	require.Equal(t, 0, code, out)
	require.Regexp(t, `the management API answers for 127\.0\.0\.1 here \(HTTP \d+, port `+strconv.Itoa(published)+`\)`, out)
	standby := standbyClient(t, ca, clonetest.StandbyIP+":"+strconv.Itoa(published))
	require.Equal(t, 200, postJSON(t, standby, s.URL+"/api/groups", cloneAdmin, `{"name":"made after the failover"}`), "the live standby takes writes")

	code, out = clone("status")
	require.Equal(t, 1, code, "no standby to fail over to: %s", out)
	require.Contains(t, out, "LIVE: cold is the live server since ")
	for _, args := range [][]string{{"drill", "cold", "--yes"}, {"install", "--yes"}, {"rollback", "cold", "--yes"}} {
		code, out = clone(args...)
		require.Equal(t, 1, code, "%v: %s", args, out)
		require.Contains(t, out, "cold is the live server since", args)
		require.Contains(t, out, "nothing on the standby was changed", args)
		require.NotEmpty(t, clonetest.Running(t, project), "%v: the live server keeps running", args)
	}
	req, err := http.NewRequest("GET", s.URL+"/api/groups", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Token "+cloneAdmin)
	resp, err := standby.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Contains(t, string(body), "made after the failover", "what was made on the live server is still there")
}

// standbyClient reaches the standby at addr, speaking to it as the
// primary's name, as clients do once DNS points there.
func standbyClient(t *testing.T, caFile, addr string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(pem))
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}}
}

func postJSON(t *testing.T, c *http.Client, url, token, body string) int {
	t.Helper()
	req, err := http.NewRequest("POST", url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Token "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
