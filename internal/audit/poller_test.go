package audit

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/state"
)

func TestFirstBootSeedsAndForwardsNothingThenForwardsNewEventsInIDOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig()
		r.src.add(3, 1, 2)
		stop := r.start(t.Context())
		synctest.Wait()
		require.Empty(t, r.out.all())
		require.Equal(t, event.ID(3), r.store.state().Cursor.LastID)
		require.Contains(t, r.logs.String(), "first boot: seeded, no backlog forwarded")

		r.src.add(6, 4, 5) // newest first does not matter: forwarded by id
		time.Sleep(time.Minute)
		synctest.Wait()
		require.Equal(t, []event.ID{4, 5, 6}, r.out.all())
		require.Equal(t, event.ID(6), r.store.state().Cursor.LastID)
		require.NoError(t, stop())
	})
}

func TestFirstBootSaysSeededOnlyOnceTheSeedIsOnDisk(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig()
		r.src.add(1)
		r.store.saveErr = errors.New("read-only file system")
		stop := r.start(t.Context())
		synctest.Wait()
		require.NotContains(t, r.logs.String(), "first boot: seeded")
		require.Contains(t, r.logs.String(), "state not saved")

		r.store.mu.Lock()
		r.store.saveErr = nil
		r.store.mu.Unlock()
		time.Sleep(time.Minute)
		synctest.Wait()
		require.Equal(t, event.ID(1), r.store.state().Cursor.LastID)
		require.NoError(t, stop())
	})
}

func TestAnAPIThatAnswersAfter30sLosesNothingAndPollsNeverOverlap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig()
		r.src.add(1)
		r.src.delay = 30 * time.Second
		stop := r.start(t.Context())
		synctest.Wait()
		require.Zero(t, r.store.saves, "the first answer is still on its way")
		r.src.add(2) // arrives while the server is still answering: part of the seed
		time.Sleep(31 * time.Second)
		synctest.Wait()
		require.Equal(t, event.ID(2), r.store.state().Cursor.LastID, "the slow answer counts once it comes")

		for id := event.ID(3); id <= 12; id++ {
			r.src.add(id)
			time.Sleep(45 * time.Second) // events keep coming, faster than interval + answer time
		}
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		require.Equal(t, []event.ID{3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, r.out.all(), "each once, in order")
		require.Equal(t, 1, r.src.maxInFlight, "a slow poll is never overlapped by the next")
		require.Empty(t, r.alert.list(), "slow is not down: no outage alert")
		require.NoError(t, stop())
	})
}

func TestPollsEveryIntervalAndQuietPollsDoNotWriteState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig()
		r.src.add(1)
		stop := r.start(t.Context())
		time.Sleep(10*time.Minute + time.Second)
		synctest.Wait()
		require.Equal(t, 11, r.src.callCount())
		require.Equal(t, 1, r.store.saves, "only the seed was written")
		require.NoError(t, stop())
	})
}

func TestBackfillForwardsTheNewestNOnFirstBoot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig()
		r.cfg.Backfill = 2
		r.src.add(5, 1, 4, 2, 3)
		stop := r.start(t.Context())
		synctest.Wait()
		require.Equal(t, []event.ID{4, 5}, r.out.all())
		time.Sleep(time.Minute)
		synctest.Wait()
		require.Equal(t, []event.ID{4, 5}, r.out.all(), "not again")
		require.NoError(t, stop())
	})
}

func TestRestartResumesFromTheStateFile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig()
		r.store.data = []byte(`{"last_id": 2, "outage_started": null, "outage_alerted": false}`) // written by the Python tool
		r.src.add(1, 2, 3, 4)
		stop := r.start(t.Context())
		synctest.Wait()
		require.Equal(t, []event.ID{3, 4}, r.out.all())
		require.NoError(t, stop())

		r.src.add(5)
		stop = r.start(t.Context())
		synctest.Wait()
		require.Equal(t, []event.ID{3, 4, 5}, r.out.all())
		require.NoError(t, stop())
	})
}

func TestALateEventWithALowerIDIsForwardedOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig()
		r.src.add(10)
		stop := r.start(t.Context())
		synctest.Wait()
		r.src.add(11, 13) // 12 commits late
		time.Sleep(time.Minute)
		synctest.Wait()
		r.src.add(12)
		time.Sleep(time.Minute)
		synctest.Wait()
		time.Sleep(time.Minute)
		synctest.Wait()
		require.NoError(t, stop())
		require.Equal(t, []event.ID{11, 13, 12}, r.out.all())

		stop = r.start(t.Context()) // and not again after a restart
		time.Sleep(time.Minute)
		synctest.Wait()
		require.NoError(t, stop())
		require.Equal(t, []event.ID{11, 13, 12}, r.out.all())
	})
}

func TestBackoffDoublesUpToTheCapAndResetsOnSuccess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig()
		r.src.add(1)
		down := errors.New("connection refused")
		r.src.fail(down, down, down, down, down, down)
		stop := r.start(t.Context())
		time.Sleep(30 * time.Minute)
		synctest.Wait()
		require.NoError(t, stop())
		var gaps []time.Duration
		for i := 1; i < len(r.src.calls); i++ {
			gaps = append(gaps, r.src.calls[i].Sub(r.src.calls[i-1]))
		}
		m := time.Minute
		require.Equal(t, []time.Duration{m, 2 * m, 4 * m, 5 * m, 5 * m, 5 * m, m, m, m, m, m}, gaps[:11])
	})
}

func TestOutageAlertsOnceAfterTheThresholdAndRecoversOnceAcrossRestarts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig()
		r.src.add(1)
		stop := r.start(t.Context())
		synctest.Wait()
		down := &netbird.Error{Kind: netbird.KindServer, Method: "GET", Path: "/api/events/audit", Status: 502, Message: "HTML page: 502 Bad Gateway"}
		for range 20 {
			r.src.fail(down)
		}
		time.Sleep(9 * time.Minute)
		synctest.Wait()
		require.Empty(t, r.alert.list(), "not before OUTAGE_ALERT_MINUTES")
		require.NoError(t, stop())
		require.False(t, r.store.state().OutageStarted.IsZero(), "the outage clock is persisted")

		stop = r.start(t.Context()) // restart during the outage: the clock goes on
		time.Sleep(6 * time.Minute)
		synctest.Wait()
		alerts := r.alert.list()
		require.Len(t, alerts, 1)
		require.Contains(t, alerts[0], "NetBird API unreachable for 1")
		require.Contains(t, alerts[0], "HTTP 502")
		require.NoError(t, stop())

		stop = r.start(t.Context()) // restart again: no second alert
		synctest.Wait()
		require.Len(t, r.alert.list(), 1)
		r.src.mu.Lock()
		r.src.errs = nil
		r.src.mu.Unlock()
		time.Sleep(6 * time.Minute)
		synctest.Wait()
		require.NoError(t, stop())
		alerts = r.alert.list()
		require.Len(t, alerts, 2)
		require.Regexp(t, `^NetBird API recovered after \d+ min outage$`, alerts[1])
		st := r.store.state()
		require.True(t, st.OutageStarted.IsZero())
		require.False(t, st.OutageAlerted)
	})
}

func TestAShortOutageNeitherAlertsNorRecovers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig()
		r.src.add(1)
		r.src.fail(errors.New("reset"), errors.New("reset"))
		stop := r.start(t.Context())
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		require.NoError(t, stop())
		require.Empty(t, r.alert.list())
		require.Contains(t, r.logs.String(), "NetBird API reachable again")
	})
}

func TestFatalErrorsStopTheLoop(t *testing.T) {
	cases := map[string]struct {
		err  *netbird.Error
		hint string
	}{
		"401":         {&netbird.Error{Kind: netbird.KindAuth, Status: 401, Message: "token invalid"}, "check NB_API_KEY"},
		"403":         {&netbird.Error{Kind: netbird.KindAuth, Status: 403, Message: "permission denied"}, "Auditor role"},
		"deleted":     {&netbird.Error{Kind: netbird.KindNotFound, Status: 404, Message: "invalid token: pat: x not found"}, "deleted or revoked"},
		"not the API": {&netbird.Error{Kind: netbird.KindNotFound, Status: 404, PlainText: true, Message: "404 page not found"}, "NB_URL does not lead"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig()
				r.src.add(1)
				r.src.fail(c.err)
				err := r.poller().Run(t.Context())
				require.ErrorIs(t, err, ErrFatal)
				require.ErrorContains(t, err, c.hint)
				require.Nil(t, r.store.data, "no seed on a fatal first fetch")
			})
		})
	}
}

func TestRateLimitWaitsForRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig()
		r.src.add(1)
		r.src.fail(&netbird.Error{Kind: netbird.KindRateLimit, Status: 429, RetryAfter: 7 * time.Minute})
		stop := r.start(t.Context())
		time.Sleep(8 * time.Minute)
		synctest.Wait()
		require.NoError(t, stop())
		require.Equal(t, 7*time.Minute, r.src.calls[1].Sub(r.src.calls[0]))
	})
}

func TestAGapBeyondTheServersWindowIsReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig()
		r.cfg.Metrics = metrics.New()
		r.src.cap = netbird.AuditCap
		r.src.add(1, 2, 3)
		stop := r.start(t.Context())
		synctest.Wait()
		var ids []event.ID
		for i := event.ID(4); i < 4+netbird.AuditCap+500; i++ {
			ids = append(ids, i)
		}
		r.src.add(ids...)
		time.Sleep(time.Minute)
		synctest.Wait()
		require.NoError(t, stop())
		require.Equal(t, []string{GapText(4, 503)}, r.alert.list())
		require.Contains(t, r.logs.String(), "lost_from_id=4 lost_to_id=503")
		var scrape strings.Builder
		r.cfg.Metrics.WritePrometheus(&scrape)
		require.Contains(t, scrape.String(), "birdseye_audit_events_lost_total 500\n")
		got := r.out.all()
		require.Len(t, got, netbird.AuditCap)
		require.Equal(t, event.ID(504), got[0])
	})
}

func TestAFailedDeliveryKeepsTheCursorAndRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig()
		r.src.add(1)
		stop := r.start(t.Context())
		synctest.Wait()
		r.out.fail(errors.New("stdout closed"))
		r.src.add(2)
		time.Sleep(time.Minute)
		synctest.Wait()
		require.Equal(t, event.ID(1), r.store.state().Cursor.LastID)
		r.out.fail(nil)
		time.Sleep(time.Minute)
		synctest.Wait()
		require.NoError(t, stop())
		require.Equal(t, []event.ID{2}, r.out.all())
		require.Equal(t, event.ID(2), r.store.state().Cursor.LastID)
		require.Contains(t, r.logs.String(), "events not delivered; retrying next poll")
	})
}

func TestACorruptStateFileIsSetAsideAndReseeded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig()
		r.store.data = []byte("")
		r.src.add(1, 2)
		stop := r.start(t.Context())
		synctest.Wait()
		require.NoError(t, stop())
		require.Empty(t, r.out.all())
		require.Equal(t, event.ID(2), r.store.state().Cursor.LastID)
		require.Contains(t, r.logs.String(), "state file is unusable; re-seeding")
		require.Contains(t, r.logs.String(), "kept_as=state.json.corrupt-0")
	})
}

// The warning counts the new events of a poll: a long history the server
// lists every time is no backlog (it warned at every start on a mature
// server, and never dropped back on a growing log).
func TestBacklogWarningOnceAndBackUnder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig()
		r.cfg.BacklogWarn = 3
		r.src.add(1, 2, 3, 4, 5, 6, 7, 8)
		stop := r.start(t.Context())
		synctest.Wait()
		time.Sleep(3 * time.Minute) // the seed poll, then polls with nothing new
		synctest.Wait()
		require.NotContains(t, r.logs.String(), "audit-events backlog:", "eight old events are no backlog")
		r.src.add(9, 10, 11, 12, 13)
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		require.Equal(t, 1, strings.Count(r.logs.String(), "audit-events backlog:"), r.logs.String())
		require.Contains(t, r.logs.String(), "new_events=5")
		time.Sleep(time.Minute)
		synctest.Wait()
		require.NoError(t, stop())
		require.Equal(t, 1, strings.Count(r.logs.String(), "audit-events backlog caught up"))
	})
}

// The store source reads a backlog in pages as the sinks have room: a poll
// that reads nothing because they are full is not the backlog caught up,
// and the next page is not a second backlog (it was said twice on a loaded
// machine).
func TestAPageHeldBackIsNotABacklogCaughtUp(t *testing.T) {
	r := newRig()
	r.cfg.BacklogWarn = 3
	p := r.poller()
	p.checkBacklog(&netbird.AuditList{Events: make([]event.Event, 5), HeldBack: true})
	p.checkBacklog(&netbird.AuditList{HeldBack: true})
	p.checkBacklog(&netbird.AuditList{Events: make([]event.Event, 5), HeldBack: true})
	p.checkBacklog(&netbird.AuditList{Events: make([]event.Event, 2)})
	require.Equal(t, 1, strings.Count(r.logs.String(), "audit-events backlog:"), r.logs.String())
	require.NotContains(t, r.logs.String(), "caught up")
	p.checkBacklog(&netbird.AuditList{})
	require.Equal(t, 1, strings.Count(r.logs.String(), "audit-events backlog caught up"), r.logs.String())
}

func TestStopIsImmediateAndSavesPendingState(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig()
		r.src.add(1)
		stop := r.start(t.Context())
		synctest.Wait()
		r.store.saveErr = errors.New("disk full")
		r.src.add(2)
		time.Sleep(time.Minute)
		synctest.Wait()
		require.Contains(t, r.logs.String(), "state not saved")
		r.store.saveErr = nil
		start := time.Now()
		require.NoError(t, stop())
		require.Zero(t, time.Since(start))
		require.Equal(t, event.ID(2), r.store.state().Cursor.LastID, "the pending state is written on the way out")
	})
}

func TestIDsBelowTheCursorAreReported(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig()
		r.store.data = (&state.State{Cursor: state.Seed(500)}).Encode()
		r.src.add(1, 2)
		stop := r.start(t.Context())
		synctest.Wait()
		require.NoError(t, stop())
		require.Contains(t, r.logs.String(), "was the NetBird database replaced?")
	})
}

func TestTheHeartbeatSaysWhenTheNextPollIsDue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		begin := time.Now()
		r := newRig()
		r.cfg.HeartbeatFile = filepath.Join(t.TempDir(), "heartbeat.json")
		r.src.add(1)
		r.src.fail(errors.New("refused"))
		stop := r.start(t.Context())
		time.Sleep(time.Second)
		synctest.Wait()
		hb, err := state.ReadHeartbeat(r.cfg.HeartbeatFile)
		require.NoError(t, err)
		require.Equal(t, time.Minute-time.Second, hb.NextPoll.Sub(time.Now()))
		require.Equal(t, "refused", hb.LastError)
		require.False(t, hb.OutageSince.IsZero())
		time.Sleep(time.Minute)
		synctest.Wait()
		hb, err = state.ReadHeartbeat(r.cfg.HeartbeatFile)
		require.NoError(t, err)
		require.Empty(t, hb.LastError)
		require.Equal(t, time.Minute, hb.LastSuccess.Sub(begin), "the poll one interval after the failure succeeded")
		require.NoError(t, stop())
	})
}

func TestAnOutageClockInTheFutureRestartsNow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig()
		st := &state.State{Cursor: state.Seed(1), OutageStarted: time.Now().Add(48 * time.Hour)} // the clock jumped back
		r.store.data = st.Encode()
		r.src.add(1)
		for range 30 {
			r.src.fail(errors.New("refused"))
		}
		stop := r.start(t.Context())
		time.Sleep(12 * time.Minute)
		synctest.Wait()
		require.NoError(t, stop())
		require.Len(t, r.alert.list(), 1, "the outage alert still comes after OUTAGE_ALERT_MINUTES")
		require.False(t, r.store.state().OutageStarted.After(time.Now()))
	})
}

// An entry whose id birdseye cannot hold (beyond int64) is no sign that the
// database was replaced: with only such entries above the cursor, no reset
// is said.
func TestAnUnusableIDIsNotADatabaseReplaced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig()
		r.src.add(1, 2, 3)
		stop := r.start(t.Context())
		synctest.Wait()
		r.src.mu.Lock()
		r.src.events, r.src.badIDs = nil, 1
		r.src.mu.Unlock()
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		require.NoError(t, stop())
		require.NotContains(t, r.logs.String(), "was the NetBird database replaced")
	})
}
