package outbox

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/sink"
)

// answering is a far end that answers with err until told otherwise.
type answering struct {
	mu    sync.Mutex
	err   error
	times []time.Time
}

func (a *answering) Name() string { return "answering" }
func (a *answering) Deliver(context.Context, sink.Batch) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.times = append(a.times, time.Now())
	return a.err
}

func (a *answering) attempts() []time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]time.Time(nil), a.times...)
}

func TestA410GoneStopsTheSinkOnceAndKeepsItsEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := Open(t.TempDir(), "gone", 1000)
		require.NoError(t, err)
		a := &answering{err: &sink.GoneError{Err: errors.New("webhook POST https://siem/…: HTTP 410: gone")}}
		var mu sync.Mutex
		var told []string
		d := &Drainer{Box: b, Sink: a, MinBackoff: 5 * time.Second, MaxBackoff: 5 * time.Minute, Log: quiet(),
			OnGone: func(name string, err error) { mu.Lock(); told = append(told, name+": "+err.Error()); mu.Unlock() }}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { d.Run(ctx); close(done) }()
		require.NoError(t, b.Enqueue(evs(1, 2), nil))
		time.Sleep(time.Hour)
		require.NoError(t, b.Enqueue(evs(3), nil))
		time.Sleep(time.Hour)
		require.Len(t, a.attempts(), 1, "no second attempt after 410")
		mu.Lock()
		require.Equal(t, []string{"answering: webhook POST https://siem/…: HTTP 410: gone"}, told, "said once")
		mu.Unlock()
		require.Equal(t, 3, b.Pending(), "the events stay queued")
		cancel()
		<-done
	})
}

func TestRetryAfterIsHonouredAndBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := Open(t.TempDir(), "busy", 1000)
		require.NoError(t, err)
		busy := errors.New("webhook POST https://siem/…: HTTP 503: busy")
		a := &answering{err: &sink.RetryAfterError{Err: busy, After: 2 * time.Minute}}
		d := &Drainer{Box: b, Sink: a, MinBackoff: 5 * time.Second, MaxBackoff: 5 * time.Minute, Log: quiet()}
		go d.Run(t.Context())
		require.NoError(t, b.Enqueue(evs(1), nil))
		synctest.Wait()
		time.Sleep(119 * time.Second)
		synctest.Wait()
		require.Len(t, a.attempts(), 1, "not before the 2 minutes the receiver asked for")
		time.Sleep(2 * time.Second)
		synctest.Wait()
		require.Len(t, a.attempts(), 2)

		a.mu.Lock()
		a.err = &sink.RetryAfterError{Err: busy, After: 48 * time.Hour}
		a.mu.Unlock()
		time.Sleep(2*time.Minute + time.Second)
		synctest.Wait()
		n := len(a.attempts())
		time.Sleep(MaxRetryAfter + time.Second)
		synctest.Wait()
		require.Greater(t, len(a.attempts()), n, "a day's Retry-After waits an hour at most")
	})
}

// counted records what a drainer tells its Counter.
type counted struct {
	mu                  sync.Mutex
	forwarded, rejected int
}

func (c *counted) Delivered(_ string, forwarded, _, _ int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forwarded += forwarded
}
func (c *counted) Rejected(_ string, n int) { c.mu.Lock(); defer c.mu.Unlock(); c.rejected += n }

// A receiver that takes a batch but refuses some records for good (OTLP's
// partial success) is not sent them again: the batch leaves the outbox,
// the refusal is logged once and counted as dropped.
func TestRecordsRefusedForGoodAreNotSentAgainButCounted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := Open(t.TempDir(), "otlp", 1000)
		require.NoError(t, err)
		a := &answering{err: &sink.RejectedError{Rejected: 2, Of: 3, Err: errors.New("otlp: the receiver rejected 2 of 3 log records: too old")}}
		var logs logBuffer
		c := &counted{}
		d := &Drainer{Box: b, Sink: a, MinBackoff: 5 * time.Second, MaxBackoff: 5 * time.Minute, Log: logs.logger(), Counter: c}
		go d.Run(t.Context())
		require.NoError(t, b.Enqueue(evs(1, 2, 3), nil))
		synctest.Wait()
		time.Sleep(time.Hour)
		synctest.Wait()
		require.Len(t, a.attempts(), 1, "not sent again")
		require.Zero(t, b.Pending(), "the batch is done")
		require.Contains(t, logs.String(), "the receiver refused some records for good; they are not sent again")
		require.Contains(t, logs.String(), "rejected 2 of 3 log records: too old")
		c.mu.Lock()
		defer c.mu.Unlock()
		require.Equal(t, 1, c.forwarded)
		require.Equal(t, 2, c.rejected)
	})
}

// logBuffer is a logger's output, safe to read while the drainer logs.
type logBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}
func (l *logBuffer) String() string       { l.mu.Lock(); defer l.mu.Unlock(); return l.buf.String() }
func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }
