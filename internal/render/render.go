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
func Line(e event.Event, loc *time.Location) string {
	fields := []string{
		Time(e, loc),
		pad(e.ActivityCode, 28),
		pad(cut(e.Initiator(), 20), 20),
		e.Activity,
	}
	if e.TargetID != "" {
		fields = append(fields, "target="+e.TargetID)
	}
	if len(e.Meta) > 0 {
		pairs := make([]string, 0, len(e.Meta))
		for _, f := range e.Meta {
			pairs = append(pairs, f.Key+"="+metaRepr(f))
		}
		fields = append(fields, strings.Join(pairs, " "))
	}
	return strings.Join(fields, "  ")
}

func metaRepr(f event.MetaField) string {
	if f.Raw != nil {
		return ReprJSON(f.Raw)
	}
	return Repr(f.Value)
}

func pad(s string, n int) string {
	if c := utf8.RuneCountInString(s); c < n {
		return s + strings.Repeat(" ", n-c)
	}
	return s
}

func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
