package state

import (
	"cmp"
	"encoding/json"
	"slices"
	"time"

	"github.com/styliteag/birdseye/internal/event"
)

// The overlap window: the server assigns ids on insert but on a Postgres store
// two inserts can commit out of id order, so an event with a lower id may
// appear after a higher one was forwarded. Ids above Floor that were not
// forwarded yet are therefore still "new" when they appear. The window keeps
// the newest WindowIDs forwarded ids, and any forwarded within WindowAge, up
// to WindowMax; whatever falls out raises Floor.
const (
	WindowIDs = 1000
	WindowAge = 15 * time.Minute
	WindowMax = 10000
)

// Cursor says which audit events were already handled.
type Cursor struct {
	// LastID is the highest id forwarded (or seeded): the old tool's last_id.
	LastID event.ID
	// Floor: every id at or below it is done.
	Floor event.ID
	seen  []seenID
	index map[event.ID]struct{}
}

type seenID struct {
	id event.ID
	at int64 // unix seconds when forwarded
}

// Seed starts a cursor at id: everything up to it counts as handled.
func Seed(id event.ID) Cursor { return Cursor{LastID: id, Floor: id} }

// IsNew reports whether an event with this id still has to be forwarded.
func (c *Cursor) IsNew(id event.ID) bool {
	if id <= c.Floor {
		return false
	}
	if id > c.LastID {
		return true
	}
	if c.index == nil {
		c.index = make(map[event.ID]struct{}, len(c.seen))
		for _, s := range c.seen {
			c.index[s.id] = struct{}{}
		}
	}
	_, done := c.index[id]
	return !done
}

// Advance records forwarded ids and slides the window.
func (c *Cursor) Advance(ids []event.ID, now time.Time) {
	for _, id := range ids {
		if id <= c.Floor {
			continue
		}
		c.seen = append(c.seen, seenID{id, now.Unix()})
		c.LastID = max(c.LastID, id)
		if c.index != nil {
			c.index[id] = struct{}{}
		}
	}
	c.prune(now)
}

// Seen is the number of ids in the window.
func (c *Cursor) Seen() int { return len(c.seen) }

func (c *Cursor) prune(now time.Time) {
	if len(c.seen) <= WindowIDs {
		return
	}
	slices.SortFunc(c.seen, func(a, b seenID) int { return cmp.Compare(b.id, a.id) })
	keep := c.seen[:WindowIDs]
	cutoff := now.Add(-WindowAge).Unix()
	var dropped event.ID
	for _, s := range c.seen[WindowIDs:] {
		if s.at >= cutoff && len(keep) < WindowMax {
			keep = append(keep, s)
		} else {
			dropped = max(dropped, s.id)
		}
	}
	if dropped > c.Floor {
		c.Floor = dropped
		n := 0
		for _, s := range keep {
			if s.id > c.Floor {
				keep[n] = s
				n++
			}
		}
		keep = keep[:n]
	}
	c.seen = keep
	c.index = nil
}

// batches groups the window by forwarding time for a compact file.
func (c *Cursor) batches() []seenBatch {
	byAt := map[int64][]int64{}
	for _, s := range c.seen {
		byAt[s.at] = append(byAt[s.at], int64(s.id))
	}
	out := make([]seenBatch, 0, len(byAt))
	for at, ids := range byAt {
		slices.Sort(ids)
		out = append(out, seenBatch{At: at, IDs: ids})
	}
	slices.SortFunc(out, func(a, b seenBatch) int { return cmp.Compare(a.At, b.At) })
	return out
}

type cursorJSON struct {
	LastID int64       `json:"last_id"`
	Floor  int64       `json:"floor"`
	Seen   []seenBatch `json:"seen"`
}

// MarshalJSON lets other files (the sinks' outboxes) persist a cursor.
func (c Cursor) MarshalJSON() ([]byte, error) {
	return json.Marshal(cursorJSON{LastID: int64(c.LastID), Floor: int64(c.Floor), Seen: c.batches()})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (c *Cursor) UnmarshalJSON(b []byte) error {
	var j cursorJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*c = Cursor{LastID: event.ID(j.LastID), Floor: event.ID(j.Floor)}
	for _, sb := range j.Seen {
		for _, id := range sb.IDs {
			if event.ID(id) > c.Floor {
				c.seen = append(c.seen, seenID{event.ID(id), sb.At})
			}
		}
	}
	return nil
}
