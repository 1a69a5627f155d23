package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/realtest"
)

// runTool runs a command to its end and returns its exit code and what it said.
func runTool(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	d := start(t, env, args...)
	code := d.waitExit()
	return code, strings.Join(d.stdout(), "\n") + "\n" + d.logs()
}

// The commands that write, against a real server with an admin service
// user's token: each change is accepted by NetBird and shows in its API.
func TestE2ERealCommandsThatWrite(t *testing.T) {
	s := startReal(t)
	buildSourceAccount(t, s)
	_, admin := s.ServiceUser(t, "bot-admin", "admin")
	env := toolEnv(s.URL, "NB_ADMIN_API_KEY="+admin)

	// setup-keys update: groups by name, on one key and on all.
	code, out := runTool(t, env, "setup-keys", "update", "--key", "web-servers", "--add-group", "DB")
	require.Equal(t, 0, code, out)
	keys := realByName(t, s, "/api/setup-keys")
	groups := realByName(t, s, "/api/groups")
	require.ElementsMatch(t, []any{groups["Web"]["id"], groups["DB"]["id"]}, keys["web-servers"]["auto_groups"])
	code, out = runTool(t, env, "setup-keys", "update", "--all-keys", "--remove-group", "Ops")
	require.Equal(t, 0, code, out)
	require.Empty(t, realByName(t, s, "/api/setup-keys")["ci-runners"]["auto_groups"])

	// posture add and remove, on one policy and on all.
	code, out = runTool(t, env, "posture", "add", "min-version", "--policy", "web-to-db")
	require.Equal(t, 0, code, out)
	pc := realByName(t, s, "/api/posture-checks")["min-version"]["id"]
	require.Equal(t, []any{pc}, realByName(t, s, "/api/policies")["web-to-db"]["source_posture_checks"])
	code, out = runTool(t, env, "posture", "remove", "min-version", "--all")
	require.Equal(t, 0, code, out)
	for name, p := range realByName(t, s, "/api/policies") {
		require.Empty(t, p["source_posture_checks"], name)
	}

	// allow-ping: an ICMP companion beside each policy that allows only
	// some protocols; a second run changes nothing; --remove-all.
	code, out = runTool(t, env, "allow-ping")
	require.Equal(t, 0, code, out)
	policies := realByName(t, s, "/api/policies")
	require.Contains(t, policies, "ZPING: web-to-db")
	zp := policies["ZPING: web-to-db"]["rules"].([]any)[0].(jsonObj)
	require.Equal(t, "icmp", zp["protocol"])
	before := settledAuditCount(t, s)
	code, out = runTool(t, env, "allow-ping")
	require.Equal(t, 0, code, out)
	require.Equal(t, before+1, settledAuditCount(t, s), "a second run writes nothing (the one more is the next marker)")
	code, out = runTool(t, env, "allow-ping", "--remove-all")
	require.Equal(t, 0, code, out)
	for name := range realByName(t, s, "/api/policies") {
		require.False(t, strings.HasPrefix(name, "ZPING: "), name)
	}

	// A token that may not write is refused by NetBird, and told so.
	_, auditor := s.ServiceUser(t, "bot-auditor", "auditor")
	code, out = runTool(t, toolEnv(s.URL, "NB_ADMIN_API_KEY="+auditor), "setup-keys", "update", "--all-keys", "--remove-all-groups")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "HTTP 403")
}

// cleanup-ephemeral with real ephemeral peers: one connected stays, one
// that disconnected is deleted, a normal peer is never touched.
func TestE2ERealCleanupEphemeralDeletesOnlyDisconnectedEphemeralPeers(t *testing.T) {
	s := startReal(t)
	_, admin := s.ServiceUser(t, "bot-admin", "admin")
	_, eph := s.SetupKey(t, "ephemeral", realtest.SetupKeyOptions{Ephemeral: true})
	_, normal := s.SetupKey(t, "normal", realtest.SetupKeyOptions{})
	s.Enrol(t, eph, true, "eph-online")
	gone := s.Enrol(t, eph, true, "eph-gone")
	s.Enrol(t, normal, false, "laptop")
	s.WaitConnected(t, 2)
	gone.Disconnect()
	s.WaitConnected(t, 1)
	env := toolEnv(s.URL, "NB_ADMIN_API_KEY="+admin)

	code, out := runTool(t, env, "cleanup-ephemeral", "--min-age-minutes=0", "--dry-run")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "Found 2 ephemeral peer(s) of 3 total.")
	require.Contains(t, out, "would delete eph-gone")
	require.Len(t, realList(t, s, "/api/peers"), 3, "a dry run deletes nothing")

	code, out = runTool(t, env, "cleanup-ephemeral", "--min-age-minutes=0")
	require.Equal(t, 0, code, out)
	peers := realByName(t, s, "/api/peers")
	require.NotContains(t, peers, "eph-gone")
	require.Contains(t, peers, "eph-online", "a connected ephemeral peer stays")
	require.Contains(t, peers, "laptop")
}

// peers prune with real peers: the server's store is aged by hand (stopped,
// last_seen set 100 days back, started again), then prune deletes only the
// peers offline for longer than asked, and only with --apply.
func TestE2ERealPeersPruneDeletesLongOfflinePeers(t *testing.T) {
	s := startReal(t)
	_, admin := s.ServiceUser(t, "bot-admin", "admin")
	_, key := s.SetupKey(t, "enrol", realtest.SetupKeyOptions{})
	s.Enrol(t, key, false, "old-1", "old-2", "recent")
	editStore(t, s, `UPDATE peers SET peer_status_last_seen = ?, peer_status_connected = 0 WHERE name LIKE 'old-%'`, time.Now().Add(-100*24*time.Hour).UTC())
	env := toolEnv(s.URL, "NB_ADMIN_API_KEY="+admin)

	code, out := runTool(t, env, "peers", "prune", "--offline-days=90", "--dry-run")
	require.Equal(t, 0, code, "--dry-run is taken, as by every changing command: %s", out)
	code, out = runTool(t, env, "peers", "prune", "--offline-days=90", "--dry-run", "--apply")
	require.Equal(t, 2, code, out)
	require.Contains(t, out, "--dry-run and --apply contradict each other")
	code, out = runTool(t, env, "peers", "prune", "--offline-days=90")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "old-1")
	require.Contains(t, out, "old-2")
	require.NotContains(t, out, "recent")
	require.Len(t, realList(t, s, "/api/peers"), 3, "without --apply nothing is deleted")

	code, out = runTool(t, env, "peers", "prune", "--offline-days=90", "--max=1", "--apply")
	require.NotEqual(t, 0, code, "more peers than --max: refused")
	require.Len(t, realList(t, s, "/api/peers"), 3, out)

	code, out = runTool(t, env, "peers", "prune", "--offline-days=90", "--apply")
	require.Equal(t, 0, code, out)
	require.ElementsMatch(t, []string{"recent"}, keysOf(realByName(t, s, "/api/peers")))
}
