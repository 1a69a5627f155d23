package outbox

import (
	"context"
	"errors"
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
