package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/state"
	"github.com/styliteag/birdseye/internal/timecursor"
)

func grep(lines []string, s string) []string {
	var out []string
	for _, l := range lines {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return out
}

// The proxy log and traffic events go to stdout (all) and Mattermost
// (refused requests, blocked connections: summarised), each row once, across
// a restart, with many rows in the same second and rows before the start
// left out.
func TestE2EProxyLogsAndTrafficAreForwardedOnceAcrossARestart(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	now := time.Now().UTC().Truncate(time.Second)
	f.AddProxyLogs(fake.Access{Time: now.Add(-time.Minute), Method: "GET", Host: "old.example.com", Path: "/", Status: 401, SourceIP: "192.0.2.1"})
	f.EnableTraffic(fake.Flow{Source: "old-laptop", Destination: "db", SourceIP: "100.77.0.9", DestIP: "100.77.0.2", Protocol: 6, Drops: 1, Start: now.Add(-time.Minute)})
	mm, hookURL := newMattermost(t)
	sf := filepath.Join(t.TempDir(), "state.json")
	env := baseEnv(t, api, sf, "MATTERMOST_WEBHOOK_URL="+hookURL, "PROXY_LOGS=on", "TRAFFIC_EVENTS=on",
		"PROXY_POLL_INTERVAL=0.05", "TRAFFIC_POLL_INTERVAL=0.05", "MATTERMOST_INCLUDE=policy.*")
	d := start(t, env)
	d.waitLog("proxy access log: forwarding new ones from now on")
	d.waitLog("traffic events: forwarding new ones from now on")

	// Five refused logins from one address and one good request, all in the
	// same second; four blocked connections from one laptop and one allowed.
	at := time.Now().UTC().Truncate(time.Second)
	var rows []fake.Access
	for range 5 {
		rows = append(rows, fake.Access{Time: at, Method: "POST", Host: "vault.example.com", Path: "/login", Status: 401, SourceIP: "198.51.100.9", Reason: "authentication failed"})
	}
	rows = append(rows, fake.Access{Time: at, Method: "GET", Host: "vault.example.com", Path: "/", Status: 200, SourceIP: "203.0.113.7", UserID: "alice"})
	f.AddProxyLogs(rows...)
	var flows []fake.Flow
	for range 4 {
		flows = append(flows, fake.Flow{Source: "alice-laptop", Destination: "db-server", SourceIP: "100.77.0.1", DestIP: "100.77.0.2", Protocol: 6, Direction: "EGRESS", Drops: 1, Policy: "Admins", Start: at})
	}
	flows = append(flows, fake.Flow{Source: "bob-pc", Destination: "web", SourceIP: "100.77.0.3", DestIP: "100.77.0.4", Protocol: 6, Direction: "EGRESS", Start: at})
	f.EnableTraffic(flows...)
	d.waitFor("11 stream lines", func() bool { return len(d.stdout()) >= 11 })
	waitPosts(t, d, mm, 1)
	waitMorePolls(d, f, "/api/events/proxy", 3)
	waitMorePolls(d, f, "/api/events/network-traffic", 3)
	out := d.stdout()
	require.Len(t, grep(out, "proxy.failed"), 5, strings.Join(out, "\n"))
	require.Len(t, grep(out, "proxy.success"), 1)
	require.Len(t, grep(out, "traffic.blocked"), 4)
	require.Len(t, grep(out, "traffic.started"), 1)
	require.Empty(t, grep(out, "old"), "rows from before the start are not forwarded")
	require.Contains(t, grep(out, "traffic.blocked")[0], "blocked: alice-laptop → db-server tcp (policy 'Admins')")

	texts := ""
	for _, p := range mm.Posts() {
		texts += p.Text + "\n"
	}
	require.Contains(t, texts, "**5 refused or failed requests** from 198.51.100.9: POST vault.example.com/login 401 ×5")
	require.Contains(t, texts, "**4 blocked connections** from alice-laptop: db-server tcp ×4")
	require.NotContains(t, texts, "bob-pc", "MATTERMOST_TRAFFIC_INCLUDE=TYPE_DROP by default")
	require.NotContains(t, texts, "200 GET")

	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
	raw, err := os.ReadFile(sf)
	require.NoError(t, err)
	var st map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &st))
	require.Contains(t, string(st["streams"]), `"proxy"`)
	require.Contains(t, string(st["streams"]), `"traffic"`)
	require.Contains(t, st, "last_id", "one file for all cursors")

	// While it is down, one more refused login arrives in the same second.
	f.AddProxyLogs(fake.Access{Time: at, Method: "POST", Host: "vault.example.com", Path: "/login", Status: 403, SourceIP: "198.51.100.9", Reason: "denied"})
	d2 := start(t, env)
	d2.waitLog("proxy access log: resuming")
	d2.waitFor("the new row", func() bool { return len(d2.stdout()) >= 1 })
	waitMorePolls(d2, f, "/api/events/proxy", 5)
	waitMorePolls(d2, f, "/api/events/network-traffic", 5)
	require.Len(t, d2.stdout(), 1, "only the new row, nothing again: %v", d2.stdout())
	require.Contains(t, d2.stdout()[0], "403 POST vault.example.com/login from 198.51.100.9: denied")
}

// A self-hosted server answers the traffic endpoint with a plain 404: one
// line at start, one request an hour, and the audit events keep flowing.
func TestE2ETrafficOnASelfHostedServerIsToldOnceAndDoesNotStopTheForwarder(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, api, sf, "TRAFFIC_EVENTS=on", "TRAFFIC_POLL_INTERVAL=0.05"))
	d.waitLog("does not have them")
	f.AddN(3, "policy.update", "p")
	d.waitFor("audit events", func() bool { return len(d.stdout()) == 3 })
	waitMorePolls(d, f, "/api/events/audit", 20)
	n := 0
	for _, r := range f.Requests() {
		if r.Path == "/api/events/network-traffic" {
			n++
		}
	}
	require.Equal(t, 1, n, "asked once, then again in an hour")
	require.Equal(t, 1, strings.Count(d.logs(), "does not have them"))
	require.Contains(t, d.logs(), "TRAFFIC_EVENTS stays on and birdseye asks again every hour")
}

var pathRe = regexp.MustCompile(`vault\.example\.com/r/(\d+) `)

// Rows arrive all the time, many in the same second and across pages of 100,
// while the daemon is killed at random moments: every row is printed, at
// most twice (the batch in flight when the kill came).
func TestE2EKillMinus9LosesNoProxyLogRow(t *testing.T) {
	skipUnderRace(t, "the in-process fake serves these tens of thousands of rows too slowly")
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	sf := filepath.Join(t.TempDir(), "state.json")
	env := baseEnv(t, api, sf, "PROXY_LOGS=on", "PROXY_POLL_INTERVAL=0.02")
	d := start(t, env)
	d.waitLog("proxy access log: forwarding new ones from now on")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())

	// The rows arrive while each daemon runs and is killed, a bounded
	// number a cycle (not as many as the wall clock allows: on a loaded
	// machine that grew to more than the catch-up could read).
	added := 0
	seen := map[int]bool{}
	inFlight := map[int]bool{} // printed by a killed run but not yet in the state file
	repeats := 0
	tally := func(lines []string) {
		inRun := map[int]bool{}
		for _, l := range lines {
			m := pathRe.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			n, _ := strconv.Atoi(m[1])
			require.False(t, inRun[n], "row %d printed twice by one run", n)
			inRun[n] = true
			if seen[n] {
				require.True(t, inFlight[n], "row %d printed again although the state file had it", n)
				repeats++
			}
			seen[n] = true
		}
	}
	// settle keeps in flight what was printed and is not yet in the state
	// file's proxy cursor: a kill can land while a run re-prints the batch
	// an earlier kill left in flight, so a row may be printed once more per
	// such kill, and never otherwise.
	settle := func() {
		st, err := state.File{Path: sf}.Load()
		require.NoError(t, err, "the state file is never corrupt after kill -9")
		var cur timecursor.Cursor
		if raw, ok := st.Streams[event.StreamProxy]; ok {
			require.NoError(t, json.Unmarshal(raw, &cur))
		}
		read := map[string]bool{}
		for _, s := range cur.Seen {
			read[s.Key] = true
		}
		inFlight = map[int]bool{}
		for n := range seen {
			if !read[fmt.Sprintf("al%06d", n)] {
				inFlight[n] = true
			}
		}
	}
	const cycles, batches = 15, 8
	for range cycles {
		d := start(t, env)
		for range batches {
			var batch []fake.Access
			for range 1 + rand.IntN(40) {
				added++
				batch = append(batch, fake.Access{Time: time.Now().UTC().Truncate(time.Second), Method: "GET", Host: "vault.example.com",
					Path: fmt.Sprintf("/r/%d", added), Status: 401, SourceIP: "198.51.100.9"})
			}
			f.AddProxyLogs(batch...)
			time.Sleep(time.Duration(5+rand.IntN(20)) * time.Millisecond) // a kill lands anywhere between
		}
		require.NoError(t, d.cmd.Process.Kill())
		d.waitExit()
		tally(d.stdout())
		settle()
	}
	d = start(t, env)
	d.waitFor("catch-up", func() bool {
		all := maps.Clone(seen)
		for _, l := range d.stdout() {
			if m := pathRe.FindStringSubmatch(l); m != nil {
				n, _ := strconv.Atoi(m[1])
				all[n] = true
			}
		}
		return len(all) >= added
	})
	waitMorePolls(d, f, "/api/events/proxy", 3)
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
	tally(d.stdout())
	for n := 1; n <= added; n++ {
		require.True(t, seen[n], "row %d lost", n)
	}
	t.Logf("%d rows over %d kill -9 cycles, %d printed again (each in flight at a kill)", added, cycles, repeats)
}

// A log shipper's file gets the proxy-log rows its globs pick, as JSON lines.
func TestE2EProxyLogRowsReachTheFileSinkByItsGlobs(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	dir := t.TempDir()
	jsonl := filepath.Join(dir, "events.jsonl")
	d := start(t, baseEnv(t, api, filepath.Join(dir, "state.json"), "PROXY_LOGS=on", "PROXY_POLL_INTERVAL=0.05",
		"FILE_SINK_PATH="+jsonl, "FILE_SINK_PROXY_INCLUDE=failed", "FILE_SINK_PROXY_EXCLUDE=404"))
	d.waitLog("proxy access log: forwarding new ones from now on")
	at := time.Now().UTC().Truncate(time.Second)
	f.AddProxyLogs(
		fake.Access{Time: at, Method: "POST", Host: "vault.example.com", Path: "/login", Status: 401, SourceIP: "198.51.100.9", Reason: "authentication failed"},
		fake.Access{Time: at, Method: "GET", Host: "vault.example.com", Path: "/", Status: 200, SourceIP: "203.0.113.7"},
		fake.Access{Time: at, Method: "GET", Host: "vault.example.com", Path: "/favicon.ico", Status: 404, SourceIP: "203.0.113.7"},
	)
	d.waitFor("three stdout lines", func() bool { return len(d.stdout()) == 3 })
	waitMorePolls(d, f, "/api/events/proxy", 3)
	raw, err := os.ReadFile(jsonl)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	require.Len(t, lines, 1, "failed, but not 404: %s", raw)
	var e map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &e))
	require.Equal(t, "proxy", e["stream"])
	require.Equal(t, "proxy.failed", e["activity_code"])
	require.Contains(t, e["activity"], "401 POST vault.example.com/login from 198.51.100.9: authentication failed")
}
