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
	require.NoError(t, err, string(out))
	calls, _ := os.ReadFile(log)
	return string(out), string(calls)
}

func TestFailoverStartsTheStackAndWaitsForTheAPI(t *testing.T) {
	s := FailoverScript{Target: Target{Name: "cold", Root: "/opt/cold stack", Project: "cold", Compose: "docker-compose.yml"}, Primary: "nb.example.com", StandbyIP: "192.0.2.7"}
	out, calls := runFailover(t, s, "401")
	require.Contains(t, calls, "docker compose -p cold --project-directory /opt/cold stack -f /opt/cold stack/docker-compose.yml up -d")
	require.Contains(t, calls, "--resolve nb.example.com:443:127.0.0.1 https://nb.example.com:443/api/accounts")
	require.Contains(t, out, "the management API answers for nb.example.com here (HTTP 401)")
	require.Contains(t, out, "nb.example.com  A  192.0.2.7")
}

// A primary on another port is probed there, on loopback and then on the
// standby's address (an ingress bound to that address alone).
func TestFailoverProbesThePrimarysPortOnLoopbackAndTheStandbysAddress(t *testing.T) {
	s := FailoverScript{Target: Target{Name: "cold", Root: "/opt/cold", Project: "cold", Compose: "c.yml"}, Primary: "nb.example.com", StandbyIP: "192.0.2.7", Port: "8443"}
	_, calls := runFailover(t, s, "502")
	require.Contains(t, calls, "--resolve nb.example.com:8443:127.0.0.1 https://nb.example.com:8443/api/accounts")
	require.Contains(t, calls, "--resolve nb.example.com:8443:192.0.2.7 https://nb.example.com:8443/api/accounts")
}

func TestFailoverWarnsWhenTheAPIDoesNotAnswer(t *testing.T) {
	s := FailoverScript{Target: Target{Name: "cold", Root: "/opt/cold", Project: "cold", Compose: "c.yml"}, Primary: "nb.example.com"}
	out, calls := runFailover(t, s, "502")
	require.Contains(t, out, "WARNING: the management API did not answer for nb.example.com here (last: 502)")
	require.Contains(t, out, "<this host's address>")
	require.Contains(t, calls, "up -d")
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
