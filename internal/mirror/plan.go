package mirror

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
)

type obj = map[string]any

type planner struct {
	o        Options
	out      io.Writer
	srcR     Source
	dstW     Target
	src, dst *side
	// target ids by path and name: existing ones, created ones, and in a
	// dry run placeholders NEW:<kind>:<name>, so dependants plan as if the
	// creates had happened.
	target  map[string]map[string]string
	counts  Counts
	written bool
	idNames map[string]string // the target's ids to names, for the plan's lines
}

func newPlanner(ctx context.Context, src Source, dst Target, o Options, out io.Writer) (*planner, error) {
	p := &planner{o: o, out: out, srcR: src, dstW: dst, target: map[string]map[string]string{}}
	var err error
	if p.src, err = load(ctx, src); err != nil {
		return nil, err
	}
	if p.dst, err = load(ctx, dst); err != nil {
		return nil, err
	}
	for _, sec := range all {
		p.target[sec.list()] = map[string]string{}
		for _, o := range p.dst.lists[sec.list()] {
			p.target[sec.list()][sec.keyOf(p.dst, o)] = str(o["id"])
		}
	}
	return p, nil
}

// The phases, fixed: dependants are deleted first, upserts go in
// dependency order, groups and posture checks are deleted last.
func (p *planner) run(ctx context.Context) error {
	on := func(s string) bool { return slices.Contains(p.o.Sections, s) }
	if p.o.Prune {
		for _, sec := range []*section{policies, routes, routers, resources, networks, setupKeys, nameservers} {
			if on(sec.name) {
				p.deletes(ctx, sec)
			}
		}
	}
	for _, sec := range []*section{postureChecks, groups, networks, resources, routers, policies, routes, setupKeys, nameservers, dnsSettings, users, peers, account} {
		if on(sec.name) || (sec == account && on("addresses")) {
			if err := p.upserts(ctx, sec); err != nil {
				return err
			}
		}
	}
	if p.o.Prune {
		for _, sec := range []*section{groups, postureChecks} {
			if on(sec.name) {
				p.deletes(ctx, sec)
			}
		}
	}
	return nil
}

// all are the sections with a list, for the target's id maps.
var all = []*section{postureChecks, groups, networks, resources, routers, policies, routes, setupKeys, nameservers, users, peers}

// section is how one kind of object is mirrored.
type section struct {
	name, kind, path string
	// listName is the side's list when it is not path (a network's
	// resources and routers are gathered into one list each).
	listName string
	// key matches a source object with the target's (default: its name).
	key func(s *side, o obj) string
	// collection is where a source object is created (default: path); a
	// reason when its parent is missing on the target.
	collection func(p *planner, src obj) (string, string)
	// desired is the body the target should have for a source object (dst
	// is the target's match or nil), with the keys that are compared, or
	// why the object is held back.
	desired func(p *planner, src, dst obj) (body obj, compare []string, h hold)
	// current is the target's object in the same form, for the comparison.
	current func(p *planner, dst obj) obj
	// protected objects are never created, changed or deleted.
	protected func(p *planner, name string) bool
	// upsert replaces the generic upsert (dns-settings: one object).
	upsert func(ctx context.Context, p *planner) error
}

func (sec *section) list() string {
	if sec.listName != "" {
		return sec.listName
	}
	return sec.path
}

// keyOf is how an object is matched: its name (or the section's key) and,
// for the second and later objects of one name on a side, " #2", " #3" …
// in the order the server lists them. NetBird lets names repeat (policies,
// routes of one network id for high availability, IdP groups); matching
// the n-th of a name with the n-th keeps every run deciding the same.
func (sec *section) keyOf(s *side, o obj) string {
	base := sec.baseKey(s, o)
	if n := s.ordinal(sec.list(), o, func(x obj) string { return sec.baseKey(s, x) }); n > 1 {
		return fmt.Sprintf("%s #%d", base, n)
	}
	return base
}

func (sec *section) baseKey(s *side, o obj) string {
	if sec.key != nil {
		return sec.key(s, o)
	}
	return str(o["name"])
}

// itemPath is where an object the target has lives.
func (sec *section) itemPath(o obj) string {
	base := sec.path
	if p := str(o["_path"]); p != "" {
		base = p
	}
	return base + "/" + url.PathEscape(str(o["id"]))
}

// hold is why an object is not mirrored: waiting for a peer to enrol on
// the target, expected (an expired key: nothing to do), or otherwise a
// problem the verification reports.
type hold struct {
	reason            string
	waiting, expected bool
	// partial is what of an object is left as the target has it, because
	// the target would refuse it: said in the plan, the rest is mirrored.
	partial string
	// replace is what differs that NetBird cannot change in place: the
	// target's object is deleted and created again with the body.
	replace string
}

func (p *planner) upserts(ctx context.Context, sec *section) error {
	if sec.upsert != nil {
		return sec.upsert(ctx, p)
	}
	dst := map[string]obj{}
	for _, o := range p.dst.lists[sec.list()] {
		dst[sec.keyOf(p.dst, o)] = o
	}
	p.noteRepeated(sec)
	changed := false
	for _, s := range sortedBy(p.src.lists[sec.list()], func(o obj) string { return sec.keyOf(p.src, o) }) {
		name := sec.keyOf(p.src, s)
		if sec.protected != nil && sec.protected(p, name) {
			continue
		}
		d := dst[name]
		body, keys, h := sec.desired(p, s, d)
		if h.reason == "" && d == nil && sec.collection != nil {
			_, h.reason = sec.collection(p, s)
		}
		if h.partial != "" {
			p.counts.Skipped++
			p.note(Change{Op: "skip", Section: sec.name, Name: name, Reason: h.partial}, nil, nil, nil)
		}
		if h.reason != "" {
			p.counts.Skipped++
			switch {
			case h.waiting:
				p.counts.Waiting++
			case !h.expected:
				p.counts.Unresolved = append(p.counts.Unresolved, sec.name+": "+name+" — "+h.reason)
			}
			p.note(Change{Op: "skip", Section: sec.name, Name: name, Reason: h.reason}, nil, nil, nil)
			continue
		}
		if d == nil {
			id := "NEW:" + sec.kind + ":" + name
			if p.o.Apply {
				at := sec.path
				if sec.collection != nil {
					at, _ = sec.collection(p, s)
				}
				raw, err := p.write(ctx, http.MethodPost, at, body)
				if err != nil {
					// Reported; what depends on it is held back ("missing on target").
					p.failed(sec.name, name, "create", err)
					continue
				}
				var made obj
				json.Unmarshal(raw, &made)
				id = str(made["id"])
				changed = true
			}
			p.counts.Created++
			p.note(Change{Op: "create", Section: sec.name, Name: name}, nil, nil, nil)
			p.target[sec.list()][name] = id
			continue
		}
		if h.replace != "" {
			if p.o.Apply {
				if !p.replaceObject(ctx, sec, name, d, body) {
					continue
				}
				changed = true
			}
			p.counts.Updated++
			p.note(Change{Op: "update", Section: sec.name, Name: name, Reason: "replaced (" + h.replace + "): NetBird cannot change this in place"}, nil, nil, nil)
			continue
		}
		cur := sec.current(p, d)
		var diff []string
		for _, k := range keys {
			if canon(body[k]) != canon(cur[k]) {
				diff = append(diff, k)
			}
		}
		if len(diff) == 0 {
			if p.o.Verbose {
				p.note(Change{Op: "same", Section: sec.name, Name: name}, nil, nil, nil)
			}
			continue
		}
		if p.o.Apply {
			if _, err := p.write(ctx, http.MethodPut, sec.itemPath(d), body); err != nil {
				p.failed(sec.name, name, "update", err, diff, cur, body)
				continue
			}
			changed = true
		}
		p.counts.Updated++
		p.note(Change{Op: "update", Section: sec.name, Name: name}, diff, cur, body)
	}
	if changed {
		if err := p.dst.reload(ctx, p.dstW, sec.list()); err != nil {
			return err
		}
	}
	return nil
}

// deletes removes what the target has and the source does not. A failed
// delete is counted and the run goes on.
func (p *planner) deletes(ctx context.Context, sec *section) {
	want := map[string]bool{}
	for _, o := range p.src.lists[sec.list()] {
		want[sec.keyOf(p.src, o)] = true
	}
	for _, d := range sortedBy(p.dst.lists[sec.list()], func(o obj) string { return sec.keyOf(p.dst, o) }) {
		name := sec.keyOf(p.dst, d)
		if want[name] || (sec.protected != nil && sec.protected(p, name)) {
			continue
		}
		if p.o.Apply {
			if _, err := p.write(ctx, http.MethodDelete, sec.itemPath(d), nil); err != nil {
				p.failed(sec.name, name, "delete", err)
				continue
			}
		}
		p.counts.Deleted++
		p.note(Change{Op: "delete", Section: sec.name, Name: name}, nil, nil, nil)
		delete(p.target[sec.list()], name)
	}
}

// replaceObject deletes the target's object and creates it again; false
// (reported) when the target refuses either.
func (p *planner) replaceObject(ctx context.Context, sec *section, name string, d, body obj) bool {
	if _, err := p.write(ctx, http.MethodDelete, sec.itemPath(d), nil); err != nil {
		p.failed(sec.name, name, "replace (delete)", err)
		return false
	}
	raw, err := p.write(ctx, http.MethodPost, sec.path, body)
	if err != nil {
		p.failed(sec.name, name, "replace (create after the delete)", err)
		delete(p.target[sec.list()], name)
		return false
	}
	var made obj
	json.Unmarshal(raw, &made)
	p.target[sec.list()][name] = str(made["id"])
	return true
}

// write sends one change; the target is dumped first, once per run.
func (p *planner) write(ctx context.Context, method, path string, body any) (json.RawMessage, error) {
	if !p.written {
		p.written = true
		if file, err := p.snapshot(ctx); err != nil {
			fmt.Fprintf(p.out, "  (no snapshot of the target before writing: %v)\n", err)
		} else if file != "" {
			fmt.Fprintf(p.out, "  snapshot of the target before writing: %s\n", file)
		}
	}
	return p.dstW.Send(ctx, method, path, body)
}

func sortedBy(l []obj, key func(obj) string) []obj {
	out := slices.Clone(l)
	sort.SliceStable(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	return out
}

func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// canon is a value as JSON with sorted keys (encoding/json sorts map keys),
// so equal values compare equal whatever the order they came in.
func canon(v any) string {
	if v == nil {
		return "null"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
