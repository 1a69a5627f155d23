package mirror

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The plan's lines: what changes, what is held back, what was refused, and
// which names repeat, each with the names its values stand for.

// Change is one line of the plan: what happens (or would) to an object.
type Change struct {
	Op      string           `json:"op"` // create, update, delete, skip, fail
	Section string           `json:"section"`
	Name    string           `json:"name"`
	Reason  string           `json:"reason,omitempty"`
	Fields  map[string]Field `json:"fields,omitempty"`
}

// Field is a changed value, before (the target's) and after.
type Field struct {
	Before json.RawMessage `json:"before"`
	After  json.RawMessage `json:"after"`
}

var marks = map[string]byte{"create": '+', "update": '~', "delete": '-', "skip": '!', "fail": 'E', "same": '='}

// note prints a line of the plan (an update with each field before →
// after) and keeps it for -o json. What is in sync shows only with -v.
func (p *planner) note(c Change, keys []string, before, after obj) {
	text := c.Name
	switch {
	case c.Reason != "":
		text += " — " + c.Reason
	case len(keys) > 0:
		text += " (" + strings.Join(keys, ", ") + ")"
	}
	if c.Op == "same" {
		if p.o.Verbose {
			fmt.Fprintf(p.out, "  = %-14s %s\n", c.Section, text)
		}
		return
	}
	fmt.Fprintf(p.out, "  %c %-14s %s\n", marks[c.Op], c.Section, text)
	p.idNames = nil // the target's lists change as the apply goes
	for _, k := range keys {
		if c.Fields == nil {
			c.Fields = map[string]Field{}
		}
		b, a := canon(before[k]), canon(after[k])
		c.Fields[k] = Field{Before: json.RawMessage(b), After: json.RawMessage(a)}
		// In full (a long rule list cut short could hide what differs),
		// the target's ids as the names they stand for.
		fmt.Fprintf(p.out, "      %s: %s → %s\n", k, canon(p.named(before[k])), canon(p.named(after[k])))
	}
	p.counts.Changes = append(p.counts.Changes, c)
}

// noteRepeated says which keys are not unique on a side, and, when pruning
// is off, which extra objects of such a key the target keeps.
func (p *planner) noteRepeated(sec *section) {
	src := p.src.repeated(sec.list(), func(o obj) string { return sec.baseKey(p.src, o) })
	dst := p.dst.repeated(sec.list(), func(o obj) string { return sec.baseKey(p.dst, o) })
	keys := map[string]bool{}
	for k := range src {
		keys[k] = true
	}
	for k := range dst {
		keys[k] = true
	}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		fmt.Fprintf(p.out, "  note: %q names %d %s(s) on the source and %d on the target: matched in the order each server lists them (%q, \"%s #2\" …)\n",
			k, max(1, src[k]), sec.kind, dst[k], k, k)
		if p.o.Prune {
			continue
		}
		for n := max(1, src[k]) + 1; n <= dst[k]; n++ {
			p.counts.Skipped++
			p.note(Change{Op: "skip", Section: sec.name, Name: fmt.Sprintf("%s #%d", k, n),
				Reason: "on the target only, one more of this name than the source has: kept (pruning is off)"}, nil, nil, nil)
		}
	}
}

// failed reports a write the target refused; the run goes on with what
// does not depend on it, and ends with exit 1. An update's fields are
// shown, so a refused one says what it tried.
func (p *planner) failed(section, name, what string, err error, fields ...any) {
	p.counts.Failed++
	c := Change{Op: "fail", Section: section, Name: name, Reason: what + " refused: " + err.Error()}
	if len(fields) == 3 {
		keys, before, after := fields[0].([]string), fields[1].(obj), fields[2].(obj)
		p.note(c, keys, before, after)
		return
	}
	p.note(c, nil, nil, nil)
}

// named is a value with the target's ids of groups, peers, posture checks
// and resources (and the placeholders of a dry run's creates) replaced by
// their names, for the plan's lines.
func (p *planner) named(v any) any {
	if p.idNames == nil {
		p.idNames = map[string]string{}
		for _, list := range []string{"/groups", "/peers", "/posture-checks", "resources"} {
			for _, o := range p.dst.lists[list] {
				p.idNames[str(o["id"])] = str(o["name"])
			}
		}
	}
	switch x := v.(type) {
	case string:
		if n, ok := p.idNames[x]; ok {
			return n
		}
		if _, rest, ok := strings.Cut(x, "NEW:"); ok && rest != "" {
			return rest[strings.Index(rest, ":")+1:] + " (new)"
		}
		return x
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = p.named(e)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = p.named(e)
		}
		return out
	case obj:
		out := obj{}
		for k, e := range x {
			out[k] = p.named(e)
		}
		return out
	}
	return v
}
