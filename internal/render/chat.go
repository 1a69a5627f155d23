package render

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/styliteag/birdseye/internal/event"
)

// AlertPrefix starts birdseye's own messages in chat, as in the old tool.
const AlertPrefix = ":rotating_light: **NetBird forwarder**: "

// ChatBatch is what one chat message is made of.
type ChatBatch struct {
	Alerts           []string
	Dropped, Skipped int
	Events           []event.Event
	Outbox           string // the sink's name, for "the <name> outbox was full"
}

// ChatLines renders a batch for a chat service (Mattermost, and Slack,
// Discord and Teams after their own touches): alerts, drop and catch-up
// notices, then one line per event, except that many traffic or proxy rows
// of one kind from one initiator, or many audit events of one code by one
// initiator, share a summary line (Items). lineOf[i] is the line that
// carries event i.
func (mk Markup) ChatLines(b ChatBatch, loc *time.Location, burst int) (lines []string, lineOf []int) {
	for _, a := range b.Alerts {
		lines = append(lines, AlertPrefix+a)
	}
	if b.Dropped > 0 {
		lines = append(lines, fmt.Sprintf(":warning: %d events dropped: the %s outbox was full (SINK_QUEUE_MAX)", b.Dropped, b.Outbox))
	}
	if b.Skipped > 0 {
		lines = append(lines, fmt.Sprintf(":warning: skipped %d older events on catch-up", b.Skipped))
	}
	lineOf = make([]int, len(b.Events))
	for _, it := range Items(b.Events, burst) {
		for _, i := range it {
			lineOf[i] = len(lines)
		}
		switch e := b.Events[it[0]]; {
		case e.Row():
			lines = append(lines, mk.Stream(b.Events, it, loc))
		case len(it) > 1:
			lines = append(lines, mk.Burst(b.Events, it, loc))
		default:
			lines = append(lines, mk.Line(e, loc))
		}
	}
	return lines, lineOf
}

// Part is one message of a split batch and how many lines it completes.
type Part struct {
	Text  string
	Lines int
}

// SplitLines groups lines into messages of at most max runes, breaking only
// between lines; a single longer line is cut where it must be, and counts
// as completed by the message that holds its end. Every chat sink sends a
// batch in these parts.
func SplitLines(lines []string, max int) []Part {
	var parts []Part
	var cur strings.Builder
	n, done := 0, 0
	flush := func() {
		if cur.Len() > 0 || done > 0 {
			parts = append(parts, Part{Text: cur.String(), Lines: done})
			cur.Reset()
			n, done = 0, 0
		}
	}
	for _, line := range lines {
		ln := utf8.RuneCountInString(line)
		for ln > max {
			flush()
			r := []rune(line)
			parts = append(parts, Part{Text: string(r[:max])})
			line, ln = string(r[max:]), ln-max
		}
		sep := 0
		if n > 0 {
			sep = 1
		}
		if n+sep+ln > max {
			flush()
			sep = 0
		}
		if sep == 1 {
			cur.WriteByte('\n')
		}
		cur.WriteString(line)
		n += sep + ln
		done++
	}
	flush()
	return parts
}
