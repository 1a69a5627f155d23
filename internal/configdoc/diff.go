package configdoc

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Change is one difference between two documents: an object only in B
// (+), only in A (-), or a field that differs (~), by section and name.
type Change struct {
	Section string `json:"section"`
	Name    string `json:"name"`
	Op      string `json:"op"` // +, -, ~
	Field   string `json:"field,omitempty"`
	Before  any    `json:"before,omitempty"`
	After   any    `json:"after,omitempty"`
}

// Diff is what changes from a to b, section by section, objects matched by
// name (objects of the same name in order), fields compared one by one.
func Diff(a, b *Doc) []Change {
	var out []Change
	single := func(section string, x, y obj) {
		fields(&out, section, section, "", x, y)
	}
	single("settings", a.Settings, b.Settings)
	list := func(section string, x, y []obj, key func(obj) string) {
		xs, ys := keyed(x, key), keyed(y, key)
		var names []string
		for k := range xs {
			names = append(names, k)
		}
		for k := range ys {
			if _, ok := xs[k]; !ok {
				names = append(names, k)
			}
		}
		slices.Sort(names)
		for _, k := range names {
			o, inA := xs[k]
			p, inB := ys[k]
			name := strings.SplitN(k, "\x00", 2)[0]
			switch {
			case !inA:
				out = append(out, Change{Section: section, Name: name, Op: "+"})
			case !inB:
				out = append(out, Change{Section: section, Name: name, Op: "-"})
			default:
				fields(&out, section, name, "", o, p)
			}
		}
	}
	byName := func(o obj) string { return str(o["name"]) }
	list("groups", a.Groups, b.Groups, byName)
	list("peers", a.Peers, b.Peers, byName)
	list("users", a.Users, b.Users, userKey)
	list("posture_checks", a.PostureChecks, b.PostureChecks, byName)
	list("policies", a.Policies, b.Policies, byName)
	list("networks", a.Networks, b.Networks, byName)
	list("routes", a.Routes, b.Routes, func(o obj) string { return str(o["network_id"]) + " " + cmp.Or(str(o["network"]), str(o["domains"])) })
	list("setup_keys", a.SetupKeys, b.SetupKeys, byName)
	list("nameservers", a.Nameservers, b.Nameservers, byName)
	single("dns_settings", a.DNS, b.DNS)
	return out
}

// keyed indexes a list by key, the n-th object of a repeated key marked
// with its place, so repeated names match in order.
func keyed(l []obj, key func(obj) string) map[string]obj {
	out := map[string]obj{}
	seen := map[string]int{}
	for _, o := range l {
		k := key(o)
		if n := seen[k]; n > 0 {
			k = fmt.Sprintf("%s\x00%d", k, n)
		}
		seen[key(o)]++
		out[k] = o
	}
	return out
}

// fields compares two values field by field: maps by key, lists of
// objects by place, anything else whole.
func fields(out *[]Change, section, name, path string, x, y any) {
	xm, xok := asObj(x)
	ym, yok := asObj(y)
	if xok && yok {
		keys := map[string]bool{}
		for k := range xm {
			keys[k] = true
		}
		for k := range ym {
			keys[k] = true
		}
		var ks []string
		for k := range keys {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		for _, k := range ks {
			fields(out, section, name, join(path, k), xm[k], ym[k])
		}
		return
	}
	xl, xlist := x.([]any)
	yl, ylist := y.([]any)
	if xlist && ylist && len(xl) == len(yl) && len(xl) > 0 && isObj(xl[0]) {
		for i := range xl {
			fields(out, section, name, fmt.Sprintf("%s[%d]", path, i), xl[i], yl[i])
		}
		return
	}
	if canonical(x) != canonical(y) {
		*out = append(*out, Change{Section: section, Name: name, Op: "~", Field: path, Before: x, After: y})
	}
}

func asObj(v any) (obj, bool) {
	switch m := v.(type) {
	case obj:
		return m, true
	case nil:
		return nil, false
	}
	return nil, false
}

func isObj(v any) bool { _, ok := v.(obj); return ok }

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// canonical is a value as JSON: an empty list and null are the same.
func canonical(v any) string {
	if l, ok := v.([]any); ok && len(l) == 0 {
		v = nil
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// WriteDiff writes the changes as a table, json or markdown.
func WriteDiff(w io.Writer, changes []Change, a, b, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if changes == nil {
			changes = []Change{}
		}
		return enc.Encode(struct {
			A       string   `json:"a"`
			B       string   `json:"b"`
			Changes []Change `json:"changes"`
		}{a, b, changes})
	case "markdown":
		fmt.Fprintf(w, "# NetBird configuration: %s → %s\n\n", a, b)
		if len(changes) == 0 {
			_, err := fmt.Fprintln(w, "No differences.")
			return err
		}
		section := ""
		for _, c := range changes {
			if c.Section != section {
				section = c.Section
				fmt.Fprintf(w, "\n## %s\n\n", section)
			}
			fmt.Fprintf(w, "- %s\n", line(c, "`"))
		}
		return nil
	}
	for _, c := range changes {
		fmt.Fprintf(w, "%s %-15s %s\n", c.Op, c.Section, line(c, ""))
	}
	_, err := fmt.Fprintf(w, "%d differences between %s and %s\n", len(changes), a, b)
	return err
}

func line(c Change, q string) string {
	switch c.Op {
	case "+":
		return fmt.Sprintf("%s%s%s only in B", q, c.Name, q)
	case "-":
		return fmt.Sprintf("%s%s%s only in A", q, c.Name, q)
	}
	return fmt.Sprintf("%s%s%s %s: %s%s%s → %s%s%s", q, c.Name, q, c.Field, q, canonical(c.Before), q, q, canonical(c.After), q)
}
