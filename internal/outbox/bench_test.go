package outbox

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/styliteag/birdseye/internal/event"
)

// BenchmarkQueue100k is a sink down for a long time with SINK_QUEUE_MAX=0:
// 100,000 events queued in 100 polls, then drained in batches. The events
// live on disk; memory holds a batch at a time. Figures go in the issue
// note: live heap with the queue full, and the most while draining.
func BenchmarkQueue100k(b *testing.B) {
	const polls, perPoll = 100, 1000
	for b.Loop() {
		b.StopTimer()
		box, err := Open(b.TempDir(), "webhook", 0)
		if err != nil {
			b.Fatal(err)
		}
		var base runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&base)
		b.StartTimer()
		for p := range polls {
			batch := make([]event.Event, perPoll)
			for i := range batch {
				id := event.ID(p*perPoll + i + 1)
				batch[i] = event.Event{ID: id, ActivityCode: "peer.group.add", Activity: "Group added to peer", InitiatorID: "sys",
					TargetID: fmt.Sprintf("peer-%d", id), Timestamp: "2026-11-29T17:00:00Z",
					Meta: event.Meta{{Key: "group", Value: "Ops"}, {Key: "peer_fqdn", Value: fmt.Sprintf("host-%d.netbird.cloud", id)}}}
			}
			if err := box.Enqueue(batch, nil); err != nil {
				b.Fatal(err)
			}
		}
		queued := liveHeap(base)
		peak, got := queued, 0
		for {
			batch, t := box.Peek(0)
			if batch.Empty() {
				break
			}
			got += len(batch.Events)
			peak = max(peak, liveHeap(base))
			runtime.KeepAlive(batch)
			if err := box.Ack(t); err != nil {
				b.Fatal(err)
			}
		}
		if got != polls*perPoll {
			b.Fatalf("drained %d events, want %d", got, polls*perPoll)
		}
		b.ReportMetric(float64(queued)/(1<<20), "MiB-live-queued")
		b.ReportMetric(float64(peak)/(1<<20), "MiB-live-peak")
	}
}

func liveHeap(base runtime.MemStats) uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc - min(ms.HeapAlloc, base.HeapAlloc)
}
