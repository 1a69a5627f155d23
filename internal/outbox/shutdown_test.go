package outbox

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

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
