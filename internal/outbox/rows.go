package outbox

import (
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/timecursor"
)

func ids(evs []event.Event) []event.ID {
	out := make([]event.ID, 0, len(evs))
	for _, e := range evs {
		if e.Stream == "" {
			out = append(out, e.ID)
		}
	}
	return out
}

// streamWindow is how long (in row time) an outbox remembers the rows of
// the traffic and proxy streams it accepted: longer than their pollers' own
// look-back, so a poll repeated after a crash queues its rows once.
const streamWindow = 10 * time.Minute

// newRows returns the events of evs this outbox has not accepted yet, in
// order: audit events by id, stream rows by key. commit records the stream
// rows as accepted; call it once they are safely queued. An old row the
// window no longer remembers is accepted again: a rare repeat after a
// crash, never a loss.
func (b *Box) newRows(evs []event.Event) (fresh []event.Event, commit func()) {
	batches := map[string]*timecursor.Batch{}
	for _, e := range evs {
		if e.Stream == "" {
			if b.accepted.IsNew(e.ID) {
				fresh = append(fresh, e)
			}
			continue
		}
		bt := batches[e.Stream]
		if bt == nil {
			bt = b.streams[e.Stream].Begin(streamWindow)
			batches[e.Stream] = bt
		}
		if bt.Has(e.Key) {
			continue
		}
		at, _ := e.Time()
		bt.Add(e.Key, at)
		fresh = append(fresh, e)
	}
	return fresh, func() {
		for name, bt := range batches {
			b.streams[name] = bt.Cursor()
		}
	}
}
