package clone

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func runFailover(t *testing.T, s FailoverScript, curl string) (string, string) {
	t.Helper()
	out, calls, err := runFailoverErr(t, s, curl)
	require.NoError(t, err, out)
	return out, calls
}

func runFailoverErr(t *testing.T, s FailoverScript, curl string) (string, string, error) {
	t.Helper()
	b, err := s.Render()
	require.NoError(t, err)
	dir := t.TempDir()
	script := filepath.Join(dir, "failover.sh")
	require.NoError(t, os.WriteFile(script, b, 0o700))
	bin := t.TempDir()
	log := filepath.Join(bin, "calls.log")
	require.NoError(t, os.WriteFile(filepath.Join(bin, "docker"), []byte("#!/bin/sh\necho \"docker $*\" >> "+log+"\n"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(bin, "sleep"), []byte("#!/bin/sh\n"), 0o755))
	path := bin
	if curl != "" {
		require.NoError(t, os.WriteFile(filepath.Join(bin, "curl"), []byte("#!/bin/sh\necho \"curl $*\" >> "+log+"\nprintf "+curl+"\n"), 0o755))
	}
	// Only the stand-ins and the shell's own tools: no curl unless given.
	for _, tool := range []string{"bash", "seq", "cat"} {
		p, err := exec.LookPath(tool)
		require.NoError(t, err)
		require.NoError(t, os.Symlink(p, filepath.Join(bin, tool)))
	}
	cmd := exec.Command(filepath.Join(bin, "bash"), script)
	cmd.Env = []string{"PATH=" + path}
	out, err := cmd.CombinedOutput()
	calls, _ := os.ReadFile(log)
	return string(out), string(calls), err
}

func TestFailoverStartsTheStackAndWaitsForTheAPI(t *testing.T) {
	s := FailoverScript{Target: Target{Name: "cold", Root: "/opt/cold stack", Project: "cold", Compose: "docker-compose.yml"}, Primary: "nb.example.com", StandbyIP: "192.0.2.7"}
	out, calls := runFailover(t, s, "401")
	require.Contains(t, calls, "docker compose -p cold --project-directory /opt/cold stack -f /opt/cold stack/docker-compose.yml up -d")
	require.Contains(t, calls, "--connect-to nb.example.com:443:127.0.0.1:443 https://nb.example.com:443/api/accounts")
	require.Contains(t, out, "the management API answers for nb.example.com here (HTTP 401, port 443)")
	require.Contains(t, out, "nb.example.com  A  192.0.2.7")
}

// A primary on another port is probed there, on loopback and then on the
// standby's address (an ingress bound to that address alone); a port in
// CLONE_STANDBY_IP is where the standby answers, as verify reaches it.
func TestFailoverProbesWhereTheStandbyAnswers(t *testing.T) {
	s := FailoverScript{Target: Target{Name: "cold", Root: "/opt/cold", Project: "cold", Compose: "c.yml"}, Primary: "nb.example.com", StandbyIP: "192.0.2.7", Port: "8443"}
	_, calls, _ := runFailoverErr(t, s, "502")
	require.Contains(t, calls, "--connect-to nb.example.com:8443:127.0.0.1:8443 https://nb.example.com:8443/api/accounts")
	require.Contains(t, calls, "--connect-to nb.example.com:8443:192.0.2.7:8443 https://nb.example.com:8443/api/accounts")

	s.ProbePort = "9443"
	out, calls := runFailover(t, s, "200")
	require.Contains(t, calls, "--connect-to nb.example.com:8443:127.0.0.1:9443 https://nb.example.com:8443/api/accounts")
	require.Contains(t, out, "the management API answers for nb.example.com here (HTTP 200, port 9443)")
	require.Contains(t, out, "Clients use https://nb.example.com:8443: that port must reach this host (here the API answers on 9443).")
}

// A failover whose API does not answer fails (it exited 0), after a minute
// of tries, and shows the stack's state.
func TestFailoverFailsWhenTheAPIDoesNotAnswer(t *testing.T) {
	s := FailoverScript{Target: Target{Name: "cold", Root: "/opt/cold", Project: "cold", Compose: "c.yml"}, Primary: "nb.example.com"}
	out, calls, err := runFailoverErr(t, s, "502")
	require.Error(t, err)
	require.Contains(t, out, "FAILED: the management API did not answer for nb.example.com here on port 443 (last: 502)")
	require.Contains(t, calls, "up -d")
	require.Contains(t, calls, " ps")
}

func TestFailoverWithoutCurlSaysWhatToCheck(t *testing.T) {
	s := FailoverScript{Target: Target{Name: "cold", Root: "/opt/cold", Project: "cold", Compose: "c.yml"}, Primary: "nb.example.com"}
	out, _ := runFailover(t, s, "")
	require.Contains(t, out, "curl is not installed: check https://nb.example.com/api/accounts yourself")
}

func TestFailoverNeedsThePrimarysName(t *testing.T) {
	_, err := FailoverScript{}.Render()
	require.ErrorContains(t, err, "needs the primary's name")
}
