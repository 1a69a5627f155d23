package changes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/styliteag/birdseye/internal/event"
)

// ignored fields change without anyone changing the configuration.
var ignored = map[string]bool{
	"peers_count": true, "resources_count": true, "last_used": true, "used_times": true, "updated_at": true,
	"state": true, "valid": true, "key": true, "accessible_peers_count": true, "last_seen": true, "connected": true,
}

// Diff compares two versions of an object (nil = absent) field by field.
// Lists of objects with a name are matched by name (rules["SSH"].ports),
// lists of references (groups: id and name only) are compared as sets of
// names, anything else as a whole value. A created or deleted object shows
// each of its fields. Values are whole: renderings that need one line cut
// them, the change log keeps them.
func Diff(before, after json.RawMessage) []event.Change { return DiffNamed(before, after, nil) }

// DiffNamed is Diff with ids shown as names: a setup key's auto_groups, a
// route's groups or a policy's posture checks hold ids, and names maps the
// ids of groups, posture checks, policies and network resources to their
// names.
func DiffNamed(before, after json.RawMessage, names map[string]string) []event.Change {
	var out []event.Change
	d := differ{names: names, out: &out}
	d.walk("", decode(before), decode(after))
	return out
}

type differ struct {
	names map[string]string
	out   *[]event.Change
}

func decode(raw json.RawMessage) any {
	if raw == nil {
		return nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return nil
	}
	return v
}

func (d differ) walk(path string, a, b any) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	// A created (or deleted) object: field by field against nothing.
	if aok && b == nil {
		bm, bok = map[string]any{}, true
	}
	if bok && a == nil {
		am, aok = map[string]any{}, true
	}
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			if !ignored[k] {
				sorted = append(sorted, k)
			}
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			// An object's own id is not a field anyone changes; on a
			// create it read as "id (none) → <its name>".
			if k == "id" && (a == nil || b == nil) {
				continue
			}
			d.walk(join(path, k), am[k], bm[k])
		}
		return
	}
	al, alok := a.([]any)
	bl, blok := b.([]any)
	if (alok || a == nil) && (blok || b == nil) && (alok || blok) {
		if refs(al) && refs(bl) {
			an, bn := names(al), names(bl)
			if !slices.Equal(an, bn) {
				*d.out = append(*d.out, event.Change{Path: path, Before: listText(an), After: listText(bn)})
			}
			return
		}
		if ka, ok := keyed(al); ok {
			if kb, ok := keyed(bl); ok {
				labels := map[string]bool{}
				var order []string
				for _, l := range append(ka.order, kb.order...) {
					if !labels[l] {
						labels[l] = true
						order = append(order, l)
					}
				}
				for _, l := range order {
					p := fmt.Sprintf("%s[%q]", path, l)
					switch x, y := ka.items[l], kb.items[l]; {
					// An added or removed item shows what it holds: a rule's
					// ports, protocol, sources and destinations are the
					// evidence, not its name alone.
					case x == nil:
						*d.out = append(*d.out, event.Change{Path: p, After: "added"})
						d.walk(p, nil, y)
					case y == nil:
						*d.out = append(*d.out, event.Change{Path: p, Before: "present", After: "removed"})
						d.walk(p, x, nil)
					default:
						d.walk(p, x, y)
					}
				}
				return
			}
		}
	}
	// Empty either way (nil, "", []) is no change: a created object's
	// empty description read as "(none) → (none)".
	if !equal(a, b) && !(empty(a) && empty(b)) {
		*d.out = append(*d.out, event.Change{Path: path, Before: d.text(a), After: d.text(b)})
	}
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// refs reports whether every element is a reference: an object of id and
// name (and counts) only, like the groups a policy or peer lists.
func refs(l []any) bool {
	for _, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			return false
		}
		if _, ok := m["name"].(string); !ok {
			return false
		}
		for k := range m {
			if k != "id" && k != "name" && !ignored[k] && k != "type" {
				return false
			}
		}
	}
	return true
}

func names(l []any) []string {
	out := make([]string, 0, len(l))
	for _, e := range l {
		out = append(out, e.(map[string]any)["name"].(string))
	}
	sort.Strings(out)
	return out
}

type keyedList struct {
	items map[string]any
	order []string
}

// keyed indexes a list of objects by name (else id); ok is false when an
// element has neither, or two share one.
func keyed(l []any) (keyedList, bool) {
	k := keyedList{items: map[string]any{}}
	for _, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			return k, false
		}
		label, _ := m["name"].(string)
		if label == "" {
			label, _ = m["id"].(string)
		}
		if label == "" || k.items[label] != nil {
			return k, false
		}
		k.items[label] = m
		k.order = append(k.order, label)
	}
	return k, true
}

func equal(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// text shows a value the way a person reads it: strings bare (an id of a
// group or posture check as its name), lists of scalars as [a, b], objects
// as compact JSON.
func (d differ) text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if n, ok := d.names[x]; ok && n != "" {
			return n
		}
		return x
	case json.Number:
		return x.String()
	case bool:
		return fmt.Sprint(x)
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			switch e.(type) {
			case map[string]any, []any:
				return compact(v)
			}
			parts = append(parts, d.text(e))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return compact(v)
}

// listText writes a list of names as every other list of values is
// written, [a, b]; an empty one as nothing.
func listText(l []string) string {
	if len(l) == 0 {
		return ""
	}
	return "[" + strings.Join(l, ", ") + "]"
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
