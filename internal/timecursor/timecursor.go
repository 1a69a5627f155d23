// Package timecursor marks how far a time-ordered event stream has been
// read when rows carry no increasing id: NetBird's reverse-proxy access log
// and its traffic events are paged and sorted by time, and rows can arrive
// late (a request is logged when it ends, with the time it began; a flow
// window is reported after it closes). A cursor keeps the newest timestamp
// read and the keys of the rows read within a look-back window before it, so
// a poll can read back that window and skip exactly what it has seen.
package timecursor

import (
	"slices"
	"time"
)

// Cursor is JSON-friendly, to live in the state file.
type Cursor struct {
	Since time.Time `json:"since"`
	Seen  []Seen    `json:"seen,omitempty"`
}

// Seen is a key read within the look-back window, with its timestamp so it
// can be forgotten once the window has passed it.
type Seen struct {
	Key string    `json:"id"`
	At  time.Time `json:"at"`
}

// From is where a poll starts reading: the look-back window before Since,
// in whole seconds, because the servers' start_date has whole seconds.
func (c Cursor) From(lookback time.Duration) time.Time {
	return c.Since.Add(-lookback).Truncate(time.Second)
}

// Batch checks a poll's rows against a cursor: a map lookup a row and one
// pruning at the end (a scan of the keys per row would be quadratic for a
// poll of 50,000). The window is fixed when the batch begins, so rows may
// come in any order: the traffic API does not say how it sorts.
type Batch struct {
	lookback time.Duration
	from     time.Time
	next     Cursor
	seen     map[string]struct{}
}

// Begin starts a batch at the cursor.
func (c Cursor) Begin(lookback time.Duration) *Batch {
	b := &Batch{lookback: lookback, from: c.From(lookback), next: Cursor{Since: c.Since, Seen: slices.Clone(c.Seen)}, seen: make(map[string]struct{}, len(c.Seen))}
	for _, s := range c.Seen {
		b.seen[s.Key] = struct{}{}
	}
	return b
}

// Take reports whether a row is unread and, if so, records it as read.
func (b *Batch) Take(key string, at time.Time) bool {
	if at.Before(b.from) {
		return false
	}
	if _, ok := b.seen[key]; ok {
		return false
	}
	b.seen[key] = struct{}{}
	b.next.Seen = append(b.next.Seen, Seen{key, at})
	if at.After(b.next.Since) {
		b.next.Since = at
	}
	return true
}

// Cursor is the cursor after every row taken.
func (b *Batch) Cursor() Cursor {
	c := b.next
	from := c.From(b.lookback)
	c.Seen = slices.DeleteFunc(slices.Clone(c.Seen), func(s Seen) bool { return s.At.Before(from) })
	return c
}
