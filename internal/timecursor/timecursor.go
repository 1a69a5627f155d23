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

// IsNew says whether a row is unread: inside or after the window, and not
// among the keys seen.
func (c Cursor) IsNew(key string, at time.Time, lookback time.Duration) bool {
	if at.Before(c.From(lookback)) {
		return false
	}
	return !slices.ContainsFunc(c.Seen, func(s Seen) bool { return s.Key == key })
}

// Advance records a row as read and forgets keys the window has passed.
func (c Cursor) Advance(key string, at time.Time, lookback time.Duration) Cursor {
	if at.After(c.Since) {
		c.Since = at
	}
	from := c.From(lookback)
	c.Seen = append(slices.DeleteFunc(slices.Clip(c.Seen), func(s Seen) bool { return s.At.Before(from) }), Seen{key, at})
	return c
}
