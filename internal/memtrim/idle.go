package memtrim

import (
	"context"
	"log/slog"
	"runtime/metrics"
	"time"
)

// Settle is how WhenIdle decides that a burst of work is over.
type Settle struct {
	Check time.Duration // how often the allocation counter is read
	Quiet uint64        // bytes allocated between two checks that still count as idle
}

// DefaultSettle checks every 5 s; a poll loop at rest allocates far less
// than 64 KiB in that time, a poll of any size far more.
var DefaultSettle = Settle{Check: 5 * time.Second, Quiet: 64 << 10}

// WhenIdle runs until ctx ends. Each time a burst of work (a poll, a watch
// round, a delivery) is over it returns the heap freed since (Heap), so that
// the daemon rests at its live heap rather than at the garbage collector's
// next goal. The first time after startUp has passed (the first rounds of
// every loop have run) it also drops the code pages that only start-up used
// (Code). Both cost about a millisecond.
func WhenIdle(ctx context.Context, startUp time.Duration, s Settle, log *slog.Logger) {
	whenIdle(ctx, startUp, s, log, allocated, Code, Heap)
}

// allocated is the heap's cumulative allocation counter.
func allocated() uint64 {
	m := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(m)
	if m[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return m[0].Value.Uint64()
}

func whenIdle(ctx context.Context, startUp time.Duration, s Settle, log *slog.Logger,
	allocs func() uint64, code func() (int64, error), heap func()) {
	started := time.Now()
	codeDropped := false
	t := time.NewTicker(s.Check)
	defer t.Stop()
	last, busy := allocs(), true // start-up itself is a burst
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := allocs()
		grew := now - last
		last = now
		if grew > s.Quiet {
			busy = true
			continue
		}
		if !busy {
			continue
		}
		if !codeDropped && time.Since(started) < startUp {
			continue // start-up is not over: keep its burst open
		}
		busy = false
		heap()
		if !codeDropped {
			codeDropped = true
			if n, err := code(); err != nil {
				log.Debug("start-up code pages kept", "err", err)
			} else {
				log.Debug("start-up code pages dropped", "bytes", n)
			}
		}
		last = allocs()
	}
}
