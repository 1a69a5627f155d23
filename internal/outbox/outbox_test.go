package outbox

import (
	"cmp"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
)

func evs(ids ...event.ID) []event.Event {
	var out []event.Event
	for _, id := range ids {
		out = append(out, event.Event{ID: id, ActivityCode: "policy.update"})
	}
	return out
}

func idsOf(b sink.Batch) []event.ID { return ids(b.Events) }

func TestEnqueuePeekAck(t *testing.T) {
	b, err := Open(t.TempDir(), "mattermost", 100)
	require.NoError(t, err)
	require.NoError(t, b.Enqueue(evs(1, 2), nil))
	require.NoError(t, b.Enqueue(evs(3), []string{"API down"}))
	batch, tk := b.Peek(0)
	require.Equal(t, []event.ID{1, 2, 3}, idsOf(batch))
	require.Equal(t, []string{"API down"}, batch.Alerts)
	require.NoError(t, b.Enqueue(evs(4), nil)) // arrives while the batch is out
	require.NoError(t, b.Ack(tk))
	batch, _ = b.Peek(0)
	require.Equal(t, []event.ID{4}, idsOf(batch))
	require.Empty(t, batch.Alerts)
}

func TestTheSameEventsOfferedTwiceAreQueuedOnce(t *testing.T) {
	b, err := Open(t.TempDir(), "m", 100)
	require.NoError(t, err)
	require.NoError(t, b.Enqueue(evs(1, 2), nil))
	require.NoError(t, b.Enqueue(evs(1, 2, 3), nil)) // the poll after a crash before its cursor save
	batch, tk := b.Peek(0)
	require.Equal(t, []event.ID{1, 2, 3}, idsOf(batch))
	require.NoError(t, b.Ack(tk))
	require.NoError(t, b.Enqueue(evs(2, 3), nil)) // already delivered: not again
	batch, _ = b.Peek(0)
	require.True(t, batch.Empty())
}

func TestARestartResumesTheQueue(t *testing.T) {
	dir := t.TempDir()
	b, err := Open(dir, "m", 100)
	require.NoError(t, err)
	require.NoError(t, b.Enqueue(evs(1, 2), []string{"gap"}))
	require.NoError(t, b.Enqueue(evs(3), nil))
	_, tk := b.Peek(0)
	require.NoError(t, b.Enqueue(evs(4), nil))
	require.NoError(t, b.Ack(tk))

	again, err := Open(dir, "m", 100)
	require.NoError(t, err)
	batch, _ := again.Peek(0)
	require.Equal(t, []event.ID{4}, idsOf(batch))
	require.NoError(t, again.Enqueue(evs(3, 4, 5), nil))
	batch, _ = again.Peek(0)
	require.Equal(t, []event.ID{4, 5}, idsOf(batch))
	select {
	case <-again.Ready():
	default:
		t.Fatal("a reopened outbox with queued events wakes its drainer")
	}
}

func TestACrashBetweenSegmentAndMetaQueuesNothingTwice(t *testing.T) {
	dir := t.TempDir()
	b, err := Open(dir, "m", 100)
	require.NoError(t, err)
	require.NoError(t, b.Enqueue(evs(1, 2), nil))
	require.NoError(t, os.Remove(filepath.Join(dir, "meta.json"))) // as if the crash came before meta.json
	again, err := Open(dir, "m", 100)
	require.NoError(t, err)
	require.NoError(t, again.Enqueue(evs(1, 2, 3), nil))
	batch, _ := again.Peek(0)
	require.Equal(t, []event.ID{1, 2, 3}, idsOf(batch))
}

func TestAFullOutboxDropsTheOldestAndCountsThem(t *testing.T) {
	b, err := Open(t.TempDir(), "m", 5)
	require.NoError(t, err)
	require.NoError(t, b.Enqueue(evs(1, 2, 3), []string{"outage"}))
	require.NoError(t, b.Enqueue(evs(4, 5, 6, 7), nil))
	batch, tk := b.Peek(0)
	require.Equal(t, []event.ID{3, 4, 5, 6, 7}, idsOf(batch))
	require.Equal(t, 2, batch.Dropped)
	require.Equal(t, []string{"outage"}, batch.Alerts, "alerts are never dropped")
	require.NoError(t, b.Ack(tk))
	batch, _ = b.Peek(0)
	require.Equal(t, 0, batch.Dropped, "the count said in the delivered batch is cleared")

	require.NoError(t, b.Enqueue(evs(8, 9, 10, 11, 12, 13, 14), nil)) // a batch bigger than the outbox
	batch, tk = b.Peek(0)
	require.Equal(t, []event.ID{10, 11, 12, 13, 14}, idsOf(batch))
	require.Equal(t, 2, batch.Dropped)

	// Overflow while a batch is out: its events count as dropped even if the
	// delivery then succeeds (over-reporting is the safe side).
	require.NoError(t, b.Enqueue(evs(15, 16), nil))
	require.NoError(t, b.Ack(tk))
	batch, _ = b.Peek(0)
	require.Equal(t, []event.ID{15, 16}, idsOf(batch))
	require.Equal(t, 2, batch.Dropped)
}

func TestPeekCapsToTheNewestMaxCatchup(t *testing.T) {
	b, err := Open(t.TempDir(), "m", 100)
	require.NoError(t, err)
	require.NoError(t, b.Enqueue(evs(1, 2, 3, 4, 5), nil))
	batch, tk := b.Peek(2)
	require.Equal(t, []event.ID{4, 5}, idsOf(batch))
	require.Equal(t, 3, batch.Skipped)
	require.NoError(t, b.Ack(tk))
	batch, _ = b.Peek(2)
	require.True(t, batch.Empty(), "the skipped events are gone with the batch that said so")
}

func TestWithoutACapPeekHandsOutTheOldestMaxBatchEventsAtATime(t *testing.T) {
	dir := t.TempDir()
	b, err := Open(dir, "file", 0)
	require.NoError(t, err)
	var first, second []event.ID
	for i := range MaxBatch + 300 {
		first = append(first, event.ID(i+1))
	}
	for i := range 500 {
		second = append(second, event.ID(MaxBatch+300+i+1))
	}
	require.NoError(t, b.Enqueue(evs(first...), []string{"alert one"}))
	require.NoError(t, b.Enqueue(evs(second...), []string{"alert two"}))

	var got []event.ID
	var alerts []string
	for range 3 {
		batch, tk := b.Peek(0)
		require.LessOrEqual(t, len(batch.Events), MaxBatch)
		require.Zero(t, batch.Skipped, "nothing is skipped without a cap")
		got = append(got, idsOf(batch)...)
		alerts = append(alerts, batch.Alerts...)
		require.NoError(t, b.Ack(tk))
	}
	require.Equal(t, append(first, second...), got, "every event once, oldest first")
	require.Equal(t, []string{"alert one", "alert two"}, alerts, "each alert once")
	batch, _ := b.Peek(0)
	require.True(t, batch.Empty())

	// What was handed out and acknowledged stays gone after a restart.
	b2, err := Open(dir, "file", 0)
	require.NoError(t, err)
	batch, _ = b2.Peek(0)
	require.True(t, batch.Empty())
}

func TestCorruptFilesAreSetAsideAndTheOutboxGoesOn(t *testing.T) {
	dir := t.TempDir()
	b, err := Open(dir, "mattermost", 10)
	require.NoError(t, err)
	require.NoError(t, b.Enqueue(evs(1, 2), nil))
	require.NoError(t, b.Enqueue(evs(3), nil))
	segs, _ := filepath.Glob(filepath.Join(dir, "seg-*.json"))
	require.Len(t, segs, 2)
	require.NoError(t, os.WriteFile(segs[0], []byte(`{"events":[{"id":`), 0o600)) // torn
	require.NoError(t, os.WriteFile(filepath.Join(dir, "meta.json"), []byte("{"), 0o600))

	b, err = Open(dir, "mattermost", 10)
	require.NoError(t, err, "no crash loop")
	problems := b.Problems()
	require.Len(t, problems, 2)
	require.Contains(t, problems[0], "meta.json is corrupt")
	require.Contains(t, problems[1], "segment "+filepath.Base(segs[0])+" is corrupt")
	require.Contains(t, problems[1], "do not reach this sink")
	require.Empty(t, b.Problems(), "each told once")
	batch, _ := b.Peek(0)
	require.Equal(t, []event.ID{3}, idsOf(batch), "the good segment is kept")
	kept, _ := filepath.Glob(filepath.Join(dir, "*.corrupt-*"))
	require.Len(t, kept, 2, "kept for a person to look at")
	require.NoError(t, b.Enqueue(evs(4), nil), "and it takes new events")
}

// flaky is a sink that fails while down is true and records what it got.
type flaky struct {
	mu      sync.Mutex
	down    bool
	perm    bool
	calls   int
	got     []event.ID
	skipped int
	name    string // "flaky" when empty
}

func (f *flaky) Name() string { return cmp.Or(f.name, "flaky") }
func (f *flaky) Deliver(ctx context.Context, b sink.Batch) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.down {
		if f.perm {
			return sink.Permanent(errors.New("HTTP 400: Invalid webhook."))
		}
		return errors.New("connection refused")
	}
	f.got = append(f.got, ids(b.Events)...)
	f.skipped += b.Skipped
	return nil
}

// seen is what the sink got, its attempts and the skipped count, read under
// its lock (the drainer writes them from its own goroutine).
func (f *flaky) seen() (got []event.ID, calls, skipped int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]event.ID(nil), f.got...), f.calls, f.skipped
}

func (f *flaky) gotIDs() []event.ID { got, _, _ := f.seen(); return got }
func (f *flaky) attempts() int      { _, n, _ := f.seen(); return n }

func (f *flaky) set(down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down = down
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestASinkDownFor100PollsGetsEveryEventOnceInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := Open(t.TempDir(), "flaky", 10000)
		require.NoError(t, err)
		s := &flaky{down: true}
		d := &Drainer{Box: b, Sink: s, MinBackoff: time.Second, MaxBackoff: 5 * time.Minute, Log: quiet()}
		go d.Run(t.Context())
		var want []event.ID
		for poll := range 100 {
			id := event.ID(poll*3 + 1)
			require.NoError(t, b.Enqueue(evs(id, id+1, id+2), nil))
			want = append(want, id, id+1, id+2)
			time.Sleep(time.Minute)
			synctest.Wait()
		}
		s.set(false)
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		require.Equal(t, want, s.gotIDs())
		require.Zero(t, b.Pending())
		require.Less(t, s.attempts(), 200, "backoff: far fewer attempts than polls×seconds")
	})
}

func TestAPermanentErrorIsRetriedSlowly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := Open(t.TempDir(), "flaky", 100)
		require.NoError(t, err)
		s := &flaky{down: true, perm: true}
		d := &Drainer{Box: b, Sink: s, MinBackoff: time.Second, MaxBackoff: 5 * time.Minute, Log: quiet()}
		go d.Run(t.Context())
		require.NoError(t, b.Enqueue(evs(1), nil))
		time.Sleep(14 * time.Minute)
		synctest.Wait()
		require.Equal(t, 3, s.attempts(), "at 0, 5 and 10 minutes")
		require.Equal(t, 1, b.Pending())
	})
}

func TestTheDrainerAppliesMaxCatchup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := Open(t.TempDir(), "flaky", 100)
		require.NoError(t, err)
		s := &flaky{down: true}
		d := &Drainer{Box: b, Sink: s, MaxCatchup: 3, MinBackoff: time.Second, MaxBackoff: time.Minute, Log: quiet()}
		go d.Run(t.Context())
		require.NoError(t, b.Enqueue(evs(1, 2, 3, 4, 5, 6, 7), nil))
		synctest.Wait()
		s.set(false)
		time.Sleep(time.Minute)
		synctest.Wait()
		require.Equal(t, []event.ID{5, 6, 7}, s.gotIDs())
		_, _, skipped := s.seen()
		require.Equal(t, 4, skipped)
	})
}

func TestAckPartialKeepsOnlyWhatWasNotDelivered(t *testing.T) {
	b, err := Open(t.TempDir(), "email", 100)
	require.NoError(t, err)
	require.NoError(t, b.Enqueue(evs(1, 2), []string{"outage"}))
	require.NoError(t, b.Enqueue(evs(3, 4, 5), nil))
	batch, tk := b.Peek(4) // 1 skipped by the cap: 2,3,4,5 handed out
	require.Equal(t, []event.ID{2, 3, 4, 5}, idsOf(batch))
	require.NoError(t, b.Enqueue(evs(6), nil))
	require.NoError(t, b.AckPartial(tk, 2)) // 2 and 3 went out, then the server failed
	batch, _ = b.Peek(0)
	require.Equal(t, []event.ID{4, 5, 6}, idsOf(batch))
	require.Empty(t, batch.Alerts, "the alerts went out first")
}

func TestPeekTellsWhenTheOldestItemWasQueued(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := Open(t.TempDir(), "email", 100)
		require.NoError(t, err)
		first := time.Now()
		require.NoError(t, b.Enqueue(evs(1), nil))
		time.Sleep(time.Minute)
		require.NoError(t, b.Enqueue(evs(2), nil))
		_, tk := b.Peek(0)
		require.True(t, tk.Oldest.Equal(first))
	})
}

func TestHoldDelaysDeliveryAndSurvivesARestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		hold := func(_ sink.Batch, oldest time.Time) time.Duration { return time.Until(oldest.Add(15 * time.Minute)) }
		b, err := Open(dir, "email", 100)
		require.NoError(t, err)
		s := &flaky{}
		ctx, cancel := context.WithCancel(t.Context())
		d := &Drainer{Box: b, Sink: s, MinBackoff: time.Second, MaxBackoff: time.Minute, Log: quiet(), Hold: hold}
		done := make(chan struct{})
		go func() { d.Run(ctx); close(done) }()
		require.NoError(t, b.Enqueue(evs(1), nil))
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		require.Empty(t, s.gotIDs())
		cancel() // restart after 10 minutes
		<-done

		b, err = Open(dir, "email", 100)
		require.NoError(t, err)
		d = &Drainer{Box: b, Sink: s, MinBackoff: time.Second, MaxBackoff: time.Minute, Log: quiet(), Hold: hold}
		go d.Run(t.Context())
		require.NoError(t, b.Enqueue(evs(2), nil))
		time.Sleep(4*time.Minute + 59*time.Second)
		synctest.Wait()
		require.Empty(t, s.gotIDs(), "the digest clock started with the first event, before the restart")
		time.Sleep(time.Second)
		synctest.Wait()
		require.Equal(t, []event.ID{1, 2}, s.gotIDs(), "one digest")
	})
}

func TestADueBatchIsFlushedOnShutdownAndANotDueOneWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := Open(t.TempDir(), "email", 100)
		require.NoError(t, err)
		s := &flaky{down: true}
		ctx, cancel := context.WithCancel(t.Context())
		due := false
		d := &Drainer{Box: b, Sink: s, MinBackoff: time.Hour, MaxBackoff: time.Hour, Log: quiet(), FlushWithin: 5 * time.Second,
			Hold: func(sink.Batch, time.Time) time.Duration {
				if due {
					return 0
				}
				return time.Hour
			}}
		done := make(chan struct{})
		go func() { d.Run(ctx); close(done) }()
		require.NoError(t, b.Enqueue(evs(1), nil))
		synctest.Wait()
		s.set(false)
		due = true
		cancel()
		<-done
		require.Equal(t, []event.ID{1}, s.gotIDs())
		require.Zero(t, b.Pending())
	})
}

// A segment that disappears while the outbox runs is said, with how many
// events it took with it; a directory where meta.json belongs is set aside
// as a corrupt file is, not a crash loop.
func TestAVanishedSegmentIsSaidAndAMetaDirectoryIsSetAside(t *testing.T) {
	dir := t.TempDir()
	b, err := Open(dir, "webhook", 10)
	require.NoError(t, err)
	require.NoError(t, b.Enqueue(evs(1, 2), nil))
	require.NoError(t, b.Enqueue(evs(3), nil))
	segs, _ := filepath.Glob(filepath.Join(dir, "seg-*.json"))
	require.Len(t, segs, 2)
	require.NoError(t, os.Remove(segs[0]))
	batch, _ := b.Peek(0)
	require.Equal(t, []event.ID{3}, idsOf(batch))
	problems := b.Problems()
	require.Len(t, problems, 1)
	require.Contains(t, problems[0], "is gone")
	require.Contains(t, problems[0], "its 2 events do not reach this sink")

	other := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(other, "meta.json"), 0o700))
	b, err = Open(other, "webhook", 10)
	require.NoError(t, err, "no crash loop")
	require.Len(t, b.Problems(), 1)
	require.NoError(t, b.Enqueue(evs(1), nil), "and it takes events")
}
