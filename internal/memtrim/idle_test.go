package memtrim

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
)

// daemon is a fake allocation counter: work adds to it.
type daemon struct {
	allocs       atomic.Uint64
	codes, heaps atomic.Int32
	codeFails    bool
}

func (d *daemon) run(ctx context.Context, startUp time.Duration) {
	whenIdle(ctx, startUp, Settle{Check: 5 * time.Second, Quiet: 64 << 10}, slog.New(slog.NewTextHandler(io.Discard, nil)),
		d.allocs.Load,
		func() (int64, error) {
			d.codes.Add(1)
			if d.codeFails {
				return 0, errors.New("no /proc")
			}
			return 1 << 20, nil
		},
		func() { d.heaps.Add(1) })
}

// poll allocates like a poll, for three seconds; never at the instant
// WhenIdle reads the counter (whole multiples of 5 s), whose order against
// the read would be a toss-up.
func (d *daemon) poll() {
	time.Sleep(500 * time.Millisecond)
	d.allocs.Add(1 << 20)
	time.Sleep(time.Second)
	d.allocs.Add(1 << 20)
	time.Sleep(time.Second)
	d.allocs.Add(1 << 20)
	time.Sleep(500 * time.Millisecond)
}

func TestWhenIdleReturnsTheHeapOnceAfterEachBurstAndDropsStartUpCodeOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := &daemon{}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { d.run(ctx, 2*time.Minute); close(done) }()

		d.poll() // polls at 0 and 60 s: start-up is not over at 119 s
		time.Sleep(57 * time.Second)
		d.poll()
		time.Sleep(56 * time.Second)
		synctest.Wait()
		assert.Zero(t, d.codes.Load(), "nothing before start-up is over")
		assert.Zero(t, d.heaps.Load())

		time.Sleep(6 * time.Second) // start-up is over at 120 s, quiet since 63 s
		synctest.Wait()
		assert.EqualValues(t, 1, d.codes.Load(), "start-up code dropped once start-up is over and quiet")
		assert.EqualValues(t, 1, d.heaps.Load())

		time.Sleep(time.Minute - 5*time.Second) // idle: a little allocation, no burst
		d.allocs.Add(1 << 10)
		time.Sleep(time.Minute)
		synctest.Wait()
		assert.EqualValues(t, 1, d.heaps.Load(), "nothing to return while idle")

		for range 5 {
			d.poll()
			time.Sleep(57 * time.Second)
		}
		synctest.Wait()
		assert.EqualValues(t, 6, d.heaps.Load(), "once after every poll")
		assert.EqualValues(t, 1, d.codes.Load(), "start-up code is dropped once")

		cancel()
		synctest.Wait()
		select {
		case <-done:
		default:
			t.Fatal("WhenIdle did not return when its context ended")
		}
	})
}

func TestWhenIdleGoesOnWhenCodeCannotBeDropped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := &daemon{codeFails: true}
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go d.run(ctx, time.Minute)
		for range 3 {
			d.poll()
			time.Sleep(57 * time.Second)
		}
		synctest.Wait()
		assert.EqualValues(t, 1, d.codes.Load())
		assert.EqualValues(t, 3, d.heaps.Load(), "start-up over at 60 s, then after the polls at 60 and 120 s")
	})
}
