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
	if at.Before(b.from) || b.Has(key) {
		return false
	}
	b.Add(key, at)
	return true
}

// Has reports whether the key was read (within the window).
func (b *Batch) Has(key string) bool {
	_, ok := b.seen[key]
	return ok
}

// Add records a key as read whatever its time. An outbox uses it with Has to
// queue a row offered twice once, without refusing an old row it never saw.
func (b *Batch) Add(key string, at time.Time) {
	b.seen[key] = struct{}{}
	b.next.Seen = append(b.next.Seen, Seen{key, at})
	if at.After(b.next.Since) {
		b.next.Since = at
	}
}

// Cursor is the cursor after every row taken.
func (b *Batch) Cursor() Cursor {
	c := b.next
	from := c.From(b.lookback)
	c.Seen = slices.DeleteFunc(slices.Clone(c.Seen), func(s Seen) bool { return s.At.Before(from) })
	return c
}
