package render

import (
	"fmt"
	"strings"

	"github.com/styliteag/birdseye/internal/event"
)

// maxDiff is how many changed fields a line or post shows; a mail shows all.
const maxDiff = 8

func value(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// maxValue is the longest value a one-line rendering shows (a created
// object's rules, say); the change log and the mail keep it whole.
const maxValue = 120

func short(s string) string {
	if r := []rune(s); len(r) > maxValue {
		return string(r[:maxValue-1]) + "…"
	}
	return s
}

// DiffLine is the compact diff at the end of a stdout line:
// `changed: enabled true→false; rules["ssh"].ports [22, 2222]→[22]`.
func DiffLine(e event.Event) string {
	if len(e.Changes) == 0 {
		if e.ChangesNote != "" {
			return "(" + Clean(e.ChangesNote) + ")"
		}
		return ""
	}
	parts := make([]string, 0, len(e.Changes))
	for i, c := range e.Changes {
		if i == maxDiff {
			parts = append(parts, fmt.Sprintf("and %d more", len(e.Changes)-maxDiff))
			break
		}
		parts = append(parts, Clean(c.Path+" "+short(value(c.Before))+"→"+short(value(c.After))))
	}
	return "changed: " + strings.Join(parts, "; ")
}

// DiffBullets are the Mattermost bullets under an event's line.
func DiffBullets(e event.Event) string { return Mattermost.diffBullets(e) }

// diffBullets are the chat bullets under an event's line, values in code
// spans (they hold colons and brackets).
func (mk Markup) diffBullets(e event.Event) string {
	if len(e.Changes) == 0 {
		if e.ChangesNote != "" {
			return "\n  _" + mk.text(e.ChangesNote) + "_"
		}
		return ""
	}
	var b strings.Builder
	for i, c := range e.Changes {
		if i == maxDiff {
			fmt.Fprintf(&b, "\n  • and %d more", len(e.Changes)-maxDiff)
			break
		}
		fmt.Fprintf(&b, "\n  • %s: %s → %s", mk.text(c.Path), mk.Span(short(value(c.Before))), mk.Span(short(value(c.After))))
	}
	return b.String()
}

// DiffBlock is the mail's readable block under an event's line.
func DiffBlock(e event.Event) string {
	if len(e.Changes) == 0 {
		if e.ChangesNote != "" {
			return "    (" + e.ChangesNote + ")\n"
		}
		return ""
	}
	var b strings.Builder
	for _, c := range e.Changes {
		fmt.Fprintf(&b, "    %s\n      before: %s\n      after:  %s\n", c.Path, value(c.Before), value(c.After))
	}
	return b.String()
}
