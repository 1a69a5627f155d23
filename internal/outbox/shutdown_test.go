package outbox

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
)

// slow is a far end that takes `takes` to answer, or until its context ends.
type slow struct {
	takes     time.Duration
	delivered int
}

func (s *slow) Name() string { return "slow" }
func (s *slow) Deliver(ctx context.Context, b sink.Batch) error {
	select {
	case <-time.After(s.takes):
		s.delivered += len(b.Events)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func TestADeliveryInFlightAtShutdownFinishesAndIsAcknowledged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		b, err := Open(dir, "slow", 100)
		require.NoError(t, err)
		s := &slow{takes: 3 * time.Second}
		ctx, stop := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			(&Drainer{Box: b, Sink: s, MinBackoff: time.Second, MaxBackoff: time.Minute, Log: quiet()}).Run(ctx)
			close(done)
		}()
		require.NoError(t, b.Enqueue(evs(1, 2), nil))
		time.Sleep(time.Second) // the post is on its way
		stop()                  // SIGTERM
		<-done
		require.Equal(t, 2, s.delivered, "the far end got the batch")
		require.Zero(t, b.Pending(), "and the outbox knows it")
		again, err := Open(dir, "slow", 100)
		require.NoError(t, err)
		require.Zero(t, again.Pending(), "nothing to send again after the restart")
	})
}

func TestADeliveryLongerThanTheGraceIsCutAndStaysQueued(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := Open(t.TempDir(), "slow", 100)
		require.NoError(t, err)
		s := &slow{takes: time.Hour}
		ctx, stop := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			(&Drainer{Box: b, Sink: s, MinBackoff: time.Second, MaxBackoff: time.Minute, Log: quiet()}).Run(ctx)
			close(done)
		}()
		require.NoError(t, b.Enqueue(evs(1, 2), nil))
		time.Sleep(time.Second)
		start := time.Now()
		stop()
		<-done
		require.Equal(t, ShutdownGrace, time.Since(start), "bounded by the grace")
		require.Equal(t, 2, b.Pending(), "not delivered: kept for the next start")
	})
}

// A 20-second outage while polls bring new events every 5 seconds: the
// backoff grows with the outage's own retries, not with every poll, so the
// events go out within seconds of the far end's return, not minutes.
func TestAfterAShortOutageDeliveryResumesPromptly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, err := Open(t.TempDir(), "flaky", 1000)
		require.NoError(t, err)
		s := &flaky{down: true}
		d := &Drainer{Box: b, Sink: s, MinBackoff: 5 * time.Second, MaxBackoff: 5 * time.Minute, Log: quiet()}
		go d.Run(t.Context())
		start := time.Now()
		for i := range 4 { // a poll every 5 s during the outage
			require.NoError(t, b.Enqueue(evs(event.ID(i+1)), nil))
			time.Sleep(5 * time.Second)
		}
		s.set(false) // back after 20 s
		for b.Pending() > 0 {
			time.Sleep(time.Second)
		}
		require.LessOrEqual(t, time.Since(start), 40*time.Second, "delivered within about the outage's length after it ended")
		require.LessOrEqual(t, s.attempts(), 5, "attempts at 0, 5, 15, 35 s: not one per poll")
		require.NoError(t, b.Enqueue(evs(9), nil))
		synctest.Wait()
		require.Zero(t, b.Pending(), "the backoff is reset after the success: the next event goes at once")
	})
}
