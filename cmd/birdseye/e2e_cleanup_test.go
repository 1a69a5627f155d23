package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/fake"
)

// stale is an ephemeral peer disconnected since 2026-01-01: always old enough.
const stalePeers = `[
 {"id":"p1","name":"runner-stale","ip":"100.77.0.1","ephemeral":true,"connected":false,"last_seen":"2026-01-01T00:00:00Z"},
 {"id":"p2","name":"runner-live","ip":"100.77.0.2","ephemeral":true,"connected":true,"last_seen":"2026-01-01T00:00:00Z"},
 {"id":"p3","name":"laptop","ip":"100.77.0.3","ephemeral":false,"connected":false,"last_seen":"2026-01-01T00:00:00Z"}
]`

func toolEnv(api string, extra ...string) []string {
	return append([]string{"PATH=" + os.Getenv("PATH"), "NB_URL=" + api}, extra...)
}

func TestE2ECleanupEphemeralCommand(t *testing.T) {
	f, api := newAPI(t)
	f.SetPeers(stalePeers)

	d := start(t, toolEnv(api.URL, "NB_ADMIN_API_KEY="+fake.AdminToken), "cleanup-ephemeral", "--dry-run")
	require.Equal(t, 0, d.waitExit())
	out := strings.Join(d.stdout(), "\n")
	require.Contains(t, out, "Found 2 ephemeral peer(s) of 3 total.")
	require.Contains(t, out, "  would delete runner-stale (id=p1, ip=100.77.0.1): last_seen=2026-01-01T00:00:00.000000+00:00")
	require.Contains(t, out, "Done. would delete=1, skipped=1.")
	require.Empty(t, f.Writes(), "dry-run makes no write")

	d = start(t, toolEnv(api.URL, "NB_ADMIN_API_KEY="+fake.AdminToken), "cleanup-ephemeral")
	require.Equal(t, 0, d.waitExit())
	require.Contains(t, strings.Join(d.stdout(), "\n"), "Done. deleted=1, skipped=1.")
	require.Len(t, f.Writes(), 1)
	require.Equal(t, "DELETE /api/peers/p1", f.Writes()[0].Method+" "+f.Writes()[0].Path)
}

func TestE2ECleanupEphemeralExplainsTokenProblems(t *testing.T) {
	f, api := newAPI(t)
	f.SetPeers(stalePeers)
	d := start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "cleanup-ephemeral")
	require.Equal(t, 2, d.waitExit())
	require.Equal(t, "birdseye: config: NB_ADMIN_API_KEY is not set; cleanup-ephemeral needs an admin token (a service user with the Admin role)\n", d.logs())

	d = start(t, toolEnv(api.URL, "NB_ADMIN_API_KEY="+fake.AuditorToken), "cleanup-ephemeral") // a read-only token given as admin
	require.Equal(t, 1, d.waitExit())
	require.Contains(t, d.logs(), "HTTP 403: permission denied")
	require.Contains(t, d.logs(), "needs an admin token: NB_ADMIN_API_KEY")
	require.Contains(t, string(f.Collection("peers")), `"id":"p1"`, "the server refused the delete")

	d = start(t, toolEnv(api.URL, "NB_ADMIN_API_KEY="+fake.AdminToken), "cleanup-ephemeral", "--min-age-minutes=-5")
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), "--min-age-minutes=-5 is negative")
}

func TestE2ETheDaemonRunsTheCleanupOnItsSchedule(t *testing.T) {
	f, api := newAPI(t)
	f.SetPeers(stalePeers)
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, api, sf, "NB_ADMIN_API_KEY="+fake.AdminToken, "CRON_CLEANUP_EPHEMERAL=@every 1s"))
	d.waitLog(`msg="job scheduled" job=cleanup-ephemeral schedule="@every 1s"`)
	d.waitLog("deleted runner-stale (id=p1, ip=100.77.0.1)")
	require.Contains(t, d.logs(), `job=cleanup-ephemeral`)
	require.Empty(t, d.stdout(), "job reports go to the log, stdout is for events")
}

func TestE2EWithoutAnAdminTokenTheCleanupIsOffWithOneWarning(t *testing.T) {
	_, api := newAPI(t)
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, api, sf, "CRON_CLEANUP_EPHEMERAL=*/15 * * * *"))
	d.waitLog("first boot")
	require.Equal(t, 1, strings.Count(d.logs(), "level=WARN msg=\"cleanup-ephemeral is off: CRON_CLEANUP_EPHEMERAL is set but these are missing: NB_ADMIN_API_KEY (set CRON_CLEANUP_EPHEMERAL= empty to turn the job off)\""))
}

func TestE2EAnInvalidScheduleStopsTheDaemonAtStart(t *testing.T) {
	_, api := newAPI(t)
	d := start(t, baseEnv(t, api, filepath.Join(t.TempDir(), "s.json"), "CRON_CLEANUP_EPHEMERAL=every quarter hour"))
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), `birdseye: config: CRON_CLEANUP_EPHEMERAL="every quarter hour" is not a schedule`)
}

func TestE2EMultiCallCleanupThroughALink(t *testing.T) {
	f, api := newAPI(t)
	f.SetPeers(stalePeers)
	link := filepath.Join(t.TempDir(), "cleanup-ephemeral")
	require.NoError(t, os.Symlink(binPath, link))
	out, err := execEnvOutput(link, toolEnv(api.URL, "NB_ADMIN_API_KEY="+fake.AdminToken), "--dry-run")
	require.NoError(t, err)
	require.Contains(t, out, "Done. would delete=1, skipped=1.")
}

const fleetPeers = `[
 {"id":"a","name":"old-laptop","ip":"100.77.0.1","connected":false,"last_seen":"2025-01-01T00:00:00Z","groups":[{"id":"g1","name":"Laptops"}]},
 {"id":"b","name":"old-server","ip":"100.77.0.2","connected":false,"last_seen":"2025-01-01T00:00:00Z","groups":[{"id":"g2","name":"Servers"}]},
 {"id":"c","name":"online","ip":"100.77.0.3","connected":true,"last_seen":"2025-01-01T00:00:00Z","groups":[{"id":"g1","name":"Laptops"}]}
]`

func TestE2EPeersPrune(t *testing.T) {
	f, api := newAPI(t)
	f.SetPeers(fleetPeers)
	env := toolEnv(api.URL, "NB_ADMIN_API_KEY="+fake.AdminToken, "PRUNE_PROTECT_GROUPS=Servers")
	d := start(t, env, "peers", "prune", "--offline-days", "90")
	require.Equal(t, 0, d.waitExit())
	out := strings.Join(d.stdout(), "\n")
	require.Contains(t, out, "  keep   old-server (id=b, ip=100.77.0.2): in protected group Servers")
	require.Contains(t, out, "  would delete old-laptop (id=a, ip=100.77.0.1)")
	require.Contains(t, out, "Run again with --apply to delete.")
	require.Empty(t, f.Writes())

	d = start(t, env, "peers", "prune", "--offline-days", "90", "--max", "1", "--apply", "--name", "old-*")
	require.Equal(t, 0, d.waitExit())
	require.Contains(t, d.stdout(), "  deleted old-laptop (id=a, ip=100.77.0.1)")

	f.SetPeers(fleetPeers)
	d = start(t, toolEnv(api.URL, "NB_ADMIN_API_KEY="+fake.AdminToken), "peers", "prune", "--offline-days", "90", "--max", "1", "--apply")
	require.Equal(t, 1, d.waitExit())
	require.Contains(t, strings.Join(d.stdout(), "\n"), "Refusing: 2 peers qualify, more than --max 1.")

	d = start(t, env, "peers", "prune")
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), "missing flags: --offline-days")
	d = start(t, env, "peers", "prune", "--offline-days", "90", "--group", "[x")
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), "birdseye: --group pattern")
}

func TestE2EThePruneScheduleDeletesWithItsCap(t *testing.T) {
	f, api := newAPI(t)
	f.SetPeers(fleetPeers)
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, api, sf, "NB_ADMIN_API_KEY="+fake.AdminToken, "CRON_CLEANUP_EPHEMERAL=", "CRON_PRUNE_PEERS=@every 1s", "PRUNE_PROTECT_GROUPS=Servers"))
	d.waitLog("deleted old-laptop (id=a, ip=100.77.0.1)")
	require.Contains(t, d.logs(), "job=prune-peers")
	require.NotContains(t, string(f.Collection("peers")), `"id":"a"`)
	require.Contains(t, string(f.Collection("peers")), `"id":"b"`, "protected")
}

// A scheduled job run by the daemon writes its Checkmk local check and
// pings its monitor.
func TestE2EAScheduledJobWritesItsCheckmkFileAndPings(t *testing.T) {
	_, api := newAPI(t)
	spool := t.TempDir()
	pinged := make(chan string, 10)
	ping := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { pinged <- r.URL.Path }))
	defer ping.Close()
	d := start(t, baseEnv(t, api, filepath.Join(t.TempDir(), "s.json"), "NB_ADMIN_API_KEY="+fake.AdminToken,
		"CRON_CLEANUP_EPHEMERAL=@every 1s", "CHECKMK_SPOOL_DIR="+spool, "PING_URL_CLEANUP_EPHEMERAL="+ping.URL+"/hc/uuid-7"))
	file := filepath.Join(spool, "3600_netbird_cleanup_ephemeral.txt")
	d.waitFor("the Checkmk file", func() bool { _, err := os.Stat(file); return err == nil })
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Regexp(t, `^0 NetBird_Cleanup_Ephemeral - \d{4}-\d\d-\d\d \d\d:\d\d ok in \ds`, string(b))
	require.Equal(t, "/hc/uuid-7/start", <-pinged)
	require.Equal(t, "/hc/uuid-7", <-pinged)
	require.NotContains(t, d.logs(), "uuid-7", "the ping URL is a secret")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
}
