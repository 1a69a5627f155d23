// Package render turns events into the text people read: the stdout line of
// the old tool (also the body line of its mails), byte for byte, including its
// Python-isms (repr-quoted meta values, code-point padding).
package render

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/styliteag/birdseye/internal/event"
)

// TimeLayout is how event times are shown, in the configured TZ.
const TimeLayout = "2006-01-02 15:04:05"

// Time formats an event's timestamp in loc; an unparsable one is shown raw.
func Time(e event.Event, loc *time.Location) string {
	t, ok := e.Time()
	if !ok {
		return e.Timestamp
	}
	return t.In(loc).Format(TimeLayout)
}

// Line is the stdout line of an event: local time, activity code padded to 28,
// initiator cut and padded to 20, activity, `target=<id>` when set, then the
// meta as key='value' pairs in the server's order; fields are separated by two
// spaces.
func Line(e event.Event, loc *time.Location) string { return line(e, loc, false) }

// ColorLine is Line with ANSI colours for a terminal (`birdseye events`):
// the time dim, the code coloured by its first segment, the initiator bold,
// target and meta dim.
func ColorLine(e event.Event, loc *time.Location) string { return line(e, loc, true) }

const (
	ansiReset = "\x1b[0m"
	ansiDim   = "\x1b[2m"
	ansiBold  = "\x1b[1m"
)

func codeColor(code string) string {
	first, _, _ := strings.Cut(code, ".")
	switch first {
	case "policy":
		return "\x1b[36m"
	case "peer":
		return "\x1b[32m"
	case "user", "account", "service":
		return "\x1b[33m"
	case "group":
		return "\x1b[35m"
	case "posture", "setupkey", "dns", "personal", "nameserver":
		return "\x1b[34m"
	}
	return "\x1b[37m"
}

func line(e event.Event, loc *time.Location, color bool) string {
	paint := func(c, s string) string {
		if !color {
			return s
		}
		return c + s + ansiReset
	}
	// Every value from the API goes through Clean: a crafted name must not
	// drive the terminal or forge a second line (meta values are repr'd).
	fields := []string{
		paint(ansiDim, Time(e, loc)),
		paint(codeColor(e.ActivityCode), Pad(Clean(e.ActivityCode), 28)),
		// Padded, never cut: setup-key:office-202 would read as another key.
		paint(ansiBold, Pad(Clean(e.Initiator()), 20)),
		Clean(e.Activity),
	}
	if e.TargetID != "" {
		fields = append(fields, paint(ansiDim, "target="+Clean(e.TargetID)))
	}
	if len(e.Meta) > 0 {
		pairs := make([]string, 0, len(e.Meta))
		for _, f := range e.Meta {
			pairs = append(pairs, Clean(f.Key)+"="+metaRepr(f)) // keys come from the API too
		}
		fields = append(fields, paint(ansiDim, strings.Join(pairs, " ")))
	}
	if d := DiffLine(e); d != "" {
		fields = append(fields, d)
	}
	return strings.Join(fields, "  ")
}

func metaRepr(f event.MetaField) string {
	if f.Raw != nil {
		return ReprJSON(f.Raw)
	}
	return Repr(f.Value)
}

// Pad pads s with spaces to n code points (never cuts), as Python's :<n.
func Pad(s string, n int) string {
	if c := utf8.RuneCountInString(s); c < n {
		return s + strings.Repeat(" ", n-c)
	}
	return s
}
