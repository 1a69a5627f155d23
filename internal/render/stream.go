package render

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/event"
)

// Rows of the traffic and proxy streams come by the thousand, so the chat
// and mail renderings summarise many rows of one kind from one initiator
// ("14 blocked connections from alice-laptop …") instead of a line each.

// SummariseAt is how many rows of one kind from one initiator in a batch
// make a summary instead of a line each.
const SummariseAt = 3

var streamLabels = map[string][2]string{ // code → one, many
	"traffic.blocked": {"Blocked connection", "blocked connections"},
	"traffic.ended":   {"Connection ended", "ended connections"},
	"traffic.started": {"Connection started", "started connections"},
	"proxy.failed":    {"Request refused or failed", "refused or failed requests"},
	"proxy.success":   {"Request", "requests"},
}

func streamLabel(code string, many bool) string {
	l, ok := streamLabels[code]
	if !ok {
		return code
	}
	if many {
		return l[1]
	}
	return l[0]
}

// StreamCount is "14 blocked connections", "1 blocked connection".
func StreamCount(code string, n int) string {
	if n == 1 {
		return "1 " + strings.ToLower(streamLabel(code, false))
	}
	return fmt.Sprintf("%d %s", n, streamLabel(code, true))
}

// Item is what one rendered line carries: the indices of its events.
type Item []int

// Items groups a batch for rendering: stream rows of one code and initiator
// become one item when there are at least SummariseAt of them, audit events
// of one code and initiator when there are more than burst (BURST_LIMIT,
// 0 = never); every other event is its own item. A group's item stands
// where its first event was.
func Items(evs []event.Event, burst int) []Item {
	type key struct{ stream, code, who string }
	keyOf := func(e event.Event) key { return key{e.Stream, e.ActivityCode, e.Initiator()} }
	grouped := func(e event.Event, n int) bool {
		return e.Row() && n >= SummariseAt || e.Stream == "" && burst > 0 && n > burst
	}
	groups := map[key][]int{}
	for i, e := range evs {
		if e.Row() || e.Stream == "" {
			groups[keyOf(e)] = append(groups[keyOf(e)], i)
		}
	}
	var out []Item
	done := map[key]bool{}
	for i, e := range evs {
		k := keyOf(e)
		switch {
		case e.Stream == event.StreamWatch || !grouped(e, len(groups[k])):
			out = append(out, Item{i})
		case !done[k]:
			done[k] = true
			out = append(out, Item(groups[k]))
		}
	}
	return out
}

// BurstMarkdown is the Mattermost line of a burst; see Markup.Burst.
func BurstMarkdown(evs []event.Event, it Item, loc *time.Location) string {
	return Mattermost.Burst(evs, it, loc)
}

// Burst is the chat line of many audit events of one code by one
// initiator: "`…`–`…`  **42 × Group added to peer** by _alice_: Ops ×42".
func (mk Markup) Burst(evs []event.Event, it Item, loc *time.Location) string {
	first, last := evs[it[0]], evs[it[len(it)-1]]
	l := labelFor(first.ActivityCode)
	text := l.text
	if rawLabel(first.ActivityCode) {
		text = mk.text(text)
	}
	return fmt.Sprintf("`%s`–`%s`  **%d × %s** by _%s_: %s", Time(first, loc), Time(last, loc), len(it), text,
		mk.text(first.Initiator()), mk.Words(objects(evs, it, func(e event.Event) string { return auditObject(e, l.shape) })))
}

// BurstText is the plain-text (mail) line of such a burst.
func BurstText(evs []event.Event, it Item, loc *time.Location) string {
	first, last := evs[it[0]], evs[it[len(it)-1]]
	l := labelFor(first.ActivityCode)
	return fmt.Sprintf("%s – %s  %d × %s (%s) by %s: %s", Time(first, loc), Time(last, loc), len(it), first.ActivityCode, l.text,
		first.Initiator(), objects(evs, it, func(e event.Event) string { return auditObject(e, l.shape) }))
}

func auditObject(e event.Event, sh shape) string {
	if s := subject(e, sh, plain); s != "" {
		return s
	}
	return cmp.Or(e.Meta.Get("name"), e.TargetID)
}

// StreamMarkdown is the Mattermost line of stream rows; see Markup.Stream.
func StreamMarkdown(evs []event.Event, it Item, loc *time.Location) string {
	return Mattermost.Stream(evs, it, loc)
}

// Stream is a chat line for one item of stream rows.
func (mk Markup) Stream(evs []event.Event, it Item, loc *time.Location) string {
	first := evs[it[0]]
	if len(it) == 1 {
		act := first.Activity
		if _, rest, ok := strings.Cut(act, ": "); ok && first.Stream == event.StreamTraffic {
			act = rest // the label says it already
		}
		line := fmt.Sprintf("`%s`  **%s**: %s", Time(first, loc), streamLabel(first.ActivityCode, false), mk.Words(act))
		if who := first.Initiator(); who != "" && !strings.Contains(act, who) {
			line += "  _" + mk.text(who) + "_"
		}
		return line
	}
	last := evs[it[len(it)-1]]
	return fmt.Sprintf("`%s`–`%s`  **%d %s** from %s: %s", Time(first, loc), Time(last, loc), len(it),
		streamLabel(first.ActivityCode, true), mk.Words(first.Initiator()), mk.Words(objects(evs, it, rowObject)))
}

// StreamText is the plain-text (mail) line for one item of stream rows.
func StreamText(evs []event.Event, it Item, loc *time.Location) string {
	first := evs[it[0]]
	if len(it) == 1 {
		return Line(first, loc)
	}
	last := evs[it[len(it)-1]]
	return fmt.Sprintf("%s – %s  %d %s from %s: %s", Time(first, loc), Time(last, loc), len(it),
		streamLabel(first.ActivityCode, true), first.Initiator(), objects(evs, it, rowObject))
}

func rowObject(e event.Event) string { return e.Object }

// objects lists what the events were about, most frequent first, at most five.
func objects(evs []event.Event, it Item, what func(event.Event) string) string {
	count := map[string]int{}
	for _, i := range it {
		count[cmp.Or(what(evs[i]), "?")]++
	}
	keys := slices.Collect(maps.Keys(count))
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(count[b], count[a]), cmp.Compare(a, b)) })
	var parts []string
	for _, k := range keys[:min(5, len(keys))] {
		if count[k] == 1 {
			parts = append(parts, k)
		} else {
			parts = append(parts, fmt.Sprintf("%s ×%d", k, count[k]))
		}
	}
	out := strings.Join(parts, ", ")
	if len(keys) > 5 {
		out += fmt.Sprintf(" and %d more", len(keys)-5)
	}
	return out
}
