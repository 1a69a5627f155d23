package main

import (
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/state"
)

func newAPI(t *testing.T) (*fake.Server, *httptest.Server) {
	t.Helper()
	f := fake.New()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func TestE2EFirstBootSeedsThenPrintsNewEventsInIDOrder(t *testing.T) {
	f, srv := newAPI(t)
	f.AddN(5, "group.add", "old")
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, srv, sf))
	d.waitLog("first boot: seeded, no backlog forwarded")
	require.Empty(t, d.stdout())

	// The later event gets the lower id: the list is by time, output by id.
	late := f.ReserveID()
	f.AddN(2, "policy.update", "p")
	f.Add(event.Event{ID: late, ActivityCode: "user.join", TargetID: fmt.Sprintf("id-%d", late), InitiatorID: "sys", Timestamp: time.Now().Add(-time.Second).UTC().Format(time.RFC3339Nano)})
	d.waitFor("3 events", func() bool { return len(d.stdout()) == 3 })
	require.ElementsMatch(t, []int{6, 7, 8}, ids(d.stdout()))

	f.AddN(3, "setupkey.add", "k")
	d.waitFor("6 events", func() bool { return len(d.stdout()) == 6 })
	require.Equal(t, []int{9, 10, 11}, ids(d.stdout())[3:])
	require.Contains(t, d.stdout()[3], "  setupkey.add                  system                Setup key created  target=id-9  name='k-1'")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
}

func TestE2ESigtermStopsAtOnceAndARestartPrintsEachNewEventOnce(t *testing.T) {
	f, srv := newAPI(t)
	f.AddN(1, "group.add", "g")
	sf := filepath.Join(t.TempDir(), "state.json")
	// An hour's sleep between polls: SIGTERM must cut it short, or waitExit
	// gives up (after hangGuard, long before the hour). No stopwatch: under
	// the race detector on a loaded machine a prompt stop took 1.008 s.
	env := baseEnv(t, srv, sf, "POLL_INTERVAL=3600")
	var printed []int
	for cycle := range 3 {
		d := start(t, env)
		if cycle == 0 {
			d.waitLog("first boot")
		} else {
			d.waitFor("the events added while stopped", func() bool { return len(d.stdout()) == 4 })
		}
		printed = append(printed, ids(d.stdout())...)
		stopAt := time.Now()
		d.signal(syscall.SIGTERM)
		require.Equal(t, 0, d.waitExit(), "stops in the middle of the hour's sleep")
		t.Logf("stopped %s after SIGTERM", time.Since(stopAt).Round(time.Millisecond))
		f.AddN(4, "policy.update", fmt.Sprintf("c%d", cycle))
	}
	require.Equal(t, seq(2, 9), printed)
}

// killCycles: the daemon is killed with SIGKILL at random moments this often.
const killCycles = 50

func TestE2EKillMinus9LosesNothing(t *testing.T) {
	f, srv := newAPI(t)
	f.AddN(1, "group.add", "seed")
	sf := filepath.Join(t.TempDir(), "state.json")
	env := baseEnv(t, srv, sf, "POLL_INTERVAL=0.02")
	d := start(t, env)
	d.waitLog("first boot")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())

	stop := make(chan struct{})
	arrived := make(chan struct{})
	go func() { // events arrive all the time
		defer close(arrived)
		for {
			select {
			case <-stop:
				return
			default:
			}
			f.AddN(1+rand.IntN(3), "peer.group.add", "x")
			time.Sleep(time.Duration(rand.IntN(4)) * time.Millisecond)
		}
	}()
	seen := map[int]bool{}
	inFlight := map[int]bool{} // printed by the killed run but not yet in the state file
	repeats := 0
	for range killCycles {
		d := start(t, env)
		time.Sleep(time.Duration(20+rand.IntN(120)) * time.Millisecond)
		require.NoError(t, d.cmd.Process.Kill())
		d.waitExit()
		st, err := state.File{Path: sf}.Load()
		require.NoError(t, err, "the state file is never corrupt after kill -9")
		got := ids(d.stdout())
		for _, id := range got {
			if seen[id] {
				require.True(t, inFlight[id], "event %d printed again although the state file had it", id)
				repeats++
			}
			seen[id] = true
		}
		// Printed by this run or an earlier one and still not in the state
		// file (a run killed before its first poll prints nothing): the next
		// run may print these again, nothing else.
		inFlight = map[int]bool{}
		for id := range seen {
			if st.Cursor.IsNew(event.ID(id)) {
				inFlight[id] = true
			}
		}
	}
	close(stop)
	<-arrived
	// What the kills left between a temporary file and its rename is
	// removed by the next daemon once old enough: aged here, with one
	// planted so that there is something to remove.
	require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(sf), ".state.json.tmp-1"), []byte("{"), 0o600))
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(sf), ".*.tmp-*"))
	for _, l := range leftovers {
		old := time.Now().Add(-time.Hour)
		require.NoError(t, os.Chtimes(l, old, old))
	}
	// A last clean run catches up with everything.
	total := len(f.Events())
	d = start(t, env)
	d.waitFor("catch-up", func() bool {
		got := ids(d.stdout())
		return len(got) > 0 && got[len(got)-1] == total
	})
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
	require.Contains(t, d.logs(), fmt.Sprintf("removed temporary files an earlier crash left in the state directory\" count=%d", len(leftovers)))
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(sf), ".*.tmp-*"))
	require.Empty(t, left, "no temporary file outlives a clean run")
	for _, id := range ids(d.stdout()) {
		if seen[id] {
			require.True(t, inFlight[id], "event %d printed again although the state file had it", id)
		}
		seen[id] = true
	}
	for id := 2; id <= total; id++ {
		require.True(t, seen[id], "event %d lost", id)
	}
	t.Logf("%d events over %d kill -9 cycles, %d printed twice (the batch in flight)", total-1, killCycles, repeats)
}

func TestE2EResumesTheStateFileOfThePythonTool(t *testing.T) {
	f, srv := newAPI(t)
	f.AddN(10, "policy.update", "p")
	sf := filepath.Join(t.TempDir(), "state.json")
	require.NoError(t, os.WriteFile(sf, []byte(`{"last_id": 7, "outage_started": null, "outage_alerted": false}`), 0o644))
	d := start(t, baseEnv(t, srv, sf))
	d.waitFor("3 events", func() bool { return len(d.stdout()) == 3 })
	require.Equal(t, []int{8, 9, 10}, ids(d.stdout()))
	require.Contains(t, d.logs(), "resuming last_id=7")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
	b, err := os.ReadFile(sf)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(b), `{"last_id": 10, "outage_started": null, "outage_alerted": false`), string(b))
}

func TestE2EStdoutFilters(t *testing.T) {
	f, srv := newAPI(t)
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, srv, sf, "STDOUT_INCLUDE=policy.*, user.*", "STDOUT_EXCLUDE=user.join"))
	d.waitLog("first boot")
	f.AddN(1, "policy.update", "a")
	f.AddN(1, "user.join", "b")
	f.AddN(1, "group.add", "c")
	f.AddN(1, "user.block", "d")
	d.waitFor("2 events", func() bool { return len(d.stdout()) == 2 })
	time.Sleep(200 * time.Millisecond) // several more polls: nothing else may appear
	require.Equal(t, []int{1, 4}, ids(d.stdout()))
}

func TestE2EAGapBeyond10000EventsIsReported(t *testing.T) {
	f, srv := newAPI(t)
	f.AddN(3, "group.add", "g")
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, srv, sf, "POLL_INTERVAL=0.5"))
	d.waitLog("first boot")
	f.AddN(10500, "group.delete", "g")
	d.waitLog("events lost")
	require.Contains(t, d.logs(), "lost_from_id=4 lost_to_id=503")
	d.waitFor("10,000 events", func() bool { return len(d.stdout()) == 10000 })
	got := ids(d.stdout())
	require.Equal(t, 504, got[0])
	require.Equal(t, 10503, got[len(got)-1])
}

func TestE2EAPIOutageThenRecoveryForwardsTheEventsOfTheOutage(t *testing.T) {
	f, srv := newAPI(t)
	f.AddN(1, "group.add", "g")
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, srv, sf, "OUTAGE_ALERT_MINUTES=0.003"))
	d.waitLog("first boot")
	f.Fail(fake.BadGateway(1 << 30))
	d.waitLog("NetBird API unreachable for 0 min")
	f.AddN(3, "policy.update", "during")
	f.ClearFailures()
	d.waitFor("3 events", func() bool { return len(d.stdout()) == 3 })
	require.Equal(t, []int{2, 3, 4}, ids(d.stdout()))
	d.waitLog("NetBird API recovered after 0 min outage")
	require.Contains(t, d.logs(), "HTML page: 502 Bad Gateway")
	require.Equal(t, 1, strings.Count(d.logs(), "NetBird API unreachable for"))
}

func TestE2EGarbageAndHTMLChangeNothingAndAreLogged(t *testing.T) {
	f, srv := newAPI(t)
	f.AddN(2, "group.add", "g")
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, srv, sf))
	d.waitLog("first boot")
	before, err := os.ReadFile(sf)
	require.NoError(t, err)
	f.Fail(fake.GarbageJSON(3))
	f.Fail(fake.HTMLOK(3))
	f.Fail(fake.Failure{Truncate: 40, Times: 2})
	d.waitLog("expected a JSON array, got text/html")
	d.waitFor("the truncated body logged", func() bool { return strings.Count(d.logs(), "poll failed") >= 8 })
	require.Contains(t, d.logs(), "body ends early")
	require.Empty(t, d.stdout())
	after, err := os.ReadFile(sf)
	require.NoError(t, err)
	st0, _ := state.Decode(before)
	st1, _ := state.Decode(after)
	require.Equal(t, st0.Cursor.LastID, st1.Cursor.LastID)
	f.AddN(1, "policy.update", "p")
	d.waitFor("the next event", func() bool { return len(d.stdout()) == 1 })
	require.Equal(t, []int{3}, ids(d.stdout()))
}

func TestE2EAuthErrorsExit3(t *testing.T) {
	_, srv := newAPI(t)
	for name, tc := range map[string]struct{ token, want string }{
		"bad token":     {"nbp_wrong", "HTTP 401: token invalid"},
		"deleted token": {fake.DeletedToken, "the token in NB_API_KEY was deleted or revoked"},
	} {
		t.Run(name, func(t *testing.T) {
			d := start(t, baseEnv(t, srv, filepath.Join(t.TempDir(), "s.json"), "NB_API_KEY="+tc.token))
			require.Equal(t, 3, d.waitExit())
			require.Contains(t, d.logs(), tc.want)
			require.NotContains(t, d.logs(), tc.token)
		})
	}
}

func TestE2EBadConfigurationExits2WithOneLine(t *testing.T) {
	_, srv := newAPI(t)
	d := start(t, baseEnv(t, srv, filepath.Join(t.TempDir(), "s.json"), "POLL_INTERVAL=fast"))
	require.Equal(t, 2, d.waitExit())
	require.Equal(t, `birdseye: config: POLL_INTERVAL="fast" is not a number; expected seconds as a positive decimal number, e.g. 60 or 0.5`+"\n", d.logs())
}

func TestE2EMultiCallThroughALinkNamedLikeACommand(t *testing.T) {
	link := filepath.Join(t.TempDir(), "version")
	require.NoError(t, os.Symlink(binPath, link))
	out, err := execOutput(link)
	require.NoError(t, err)
	require.Regexp(t, `^birdseye \S+ \(commit \S+, go1\.\d+`, out)
}

func TestE2EDemoShowsEventsWithNoServer(t *testing.T) {
	d := start(t, []string{"PATH=" + os.Getenv("PATH"), "POLL_INTERVAL=0.1"}, "demo", "--every", "50ms", "--duration", "3s")
	require.Equal(t, 0, d.waitExit())
	lines := d.stdout()
	require.GreaterOrEqual(t, len(lines), 10, "5 backfilled + the simulated stream")
	require.Contains(t, strings.Join(lines, "\n"), "setup-key:ci-runners", "initiators resolved through the setup-key lookup")
}

func TestE2EHealthcheckFollowsTheDaemon(t *testing.T) {
	f, srv := newAPI(t)
	f.AddN(1, "group.add", "g")
	sf := filepath.Join(t.TempDir(), "state.json")
	env := baseEnv(t, srv, sf, "POLL_INTERVAL=0.2")

	hc := start(t, env, "healthcheck")
	require.Equal(t, 1, hc.waitExit(), "no daemon yet")
	require.Contains(t, strings.Join(hc.stdout(), "\n"), "unhealthy: no heartbeat")

	d := start(t, env)
	d.waitLog("first boot")
	hc = start(t, env, "healthcheck")
	require.Equal(t, 0, hc.waitExit())
	require.Contains(t, hc.stdout()[0], "healthy: last poll round")

	f.Fail(fake.ServerError(1 << 30)) // an API outage is reported, not unhealthy
	d.waitLog("poll failed")
	hc = start(t, env, "healthcheck")
	require.Equal(t, 0, hc.waitExit())
	require.Contains(t, strings.Join(hc.stdout(), "\n"), "NetBird API unreachable for")

	// A stuck loop (next poll overdue by more than state.Grace) is covered by
	// TestHealthFromTheHeartbeat: the grace is two minutes.
}

func TestE2ESeveralBadSettingsAreAllNamedInOneRun(t *testing.T) {
	_, srv := newAPI(t)
	d := start(t, baseEnv(t, srv, filepath.Join(t.TempDir(), "s.json"), "POLL_INTERVAL=fast", "MAX_CATCHUP=-1", "SYSLOG_ADDR=syslog.example.com"))
	require.Equal(t, 2, d.waitExit())
	lines := strings.Split(strings.TrimSpace(d.logs()), "\n")
	require.Len(t, lines, 3, d.logs())
	for _, l := range lines {
		require.True(t, strings.HasPrefix(l, "birdseye: config: "), l)
	}
	require.Contains(t, d.logs(), "POLL_INTERVAL=\"fast\"")
	require.Contains(t, d.logs(), "MAX_CATCHUP=\"-1\"")
	require.Contains(t, d.logs(), "SYSLOG_ADDR=")
}
