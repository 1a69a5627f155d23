package mirror

import (
	"slices"
	"sort"
	"strings"
)

var postureChecks = &section{name: "posture-checks", kind: "posture", path: "/posture-checks",
	desired: func(_ *planner, src, _ obj) (obj, []string, hold) {
		return obj{"name": src["name"], "description": str(src["description"]), "checks": src["checks"]},
			[]string{"description", "checks"}, hold{}
	},
	current: func(_ *planner, dst obj) obj {
		return obj{"description": str(dst["description"]), "checks": dst["checks"]}
	}}

// groups: peers are matched by name (a peer not enrolled on the target
// yet is left out and counted as waiting); the target's own resources
// stay; protected groups (MIRROR_PROTECTED_GROUPS, All by default) are
// never touched.
var groups = &section{name: "groups", kind: "group", path: "/groups",
	protected: func(p *planner, name string) bool { return slices.Contains(p.o.Protected, name) },
	desired: func(p *planner, src, dst obj) (obj, []string, hold) {
		var ids []string
		var missing []string
		for _, peer := range list(src["peers"]) {
			name := str(field(peer, "name"))
			if id, ok := p.target["/peers"][name]; ok {
				ids = append(ids, id)
			} else {
				missing = append(missing, name)
			}
		}
		if len(missing) > 0 {
			p.counts.Waiting++
			sort.Strings(missing)
			p.note(Change{Op: "skip", Section: "groups", Name: str(src["name"]), Reason: "peer(s) not enrolled on target yet, left out for now: " + strings.Join(missing, ", ")}, nil, nil, nil)
		}
		resources := []any{}
		if dst != nil {
			for _, r := range list(dst["resources"]) {
				resources = append(resources, obj{"id": field(r, "id"), "type": field(r, "type")})
			}
		}
		return obj{"name": src["name"], "peers": sortedStrings(ids), "resources": resources}, []string{"peers"}, hold{}
	},
	current: func(_ *planner, dst obj) obj {
		var ids []string
		for _, peer := range list(dst["peers"]) {
			ids = append(ids, str(field(peer, "id")))
		}
		return obj{"peers": sortedStrings(ids)}
	}}

// policies: groups, posture checks and peers are remapped to the target's
// ids by name; a rule whose reference the target lacks holds the policy
// back with the reason.
var policies = &section{name: "policies", kind: "policy", path: "/policies",
	desired: func(p *planner, src, _ obj) (obj, []string, hold) {
		m := &mapper{group: p.mapGroup, posture: p.mapPosture, peer: p.mapPeer, resource: p.mapResource}
		body, reason := policyBody(src, m)
		return body, []string{"description", "enabled", "source_posture_checks", "rules"}, hold{reason: reason, waiting: m.waiting && strings.HasPrefix(reason, "peer ")}
	},
	current: func(_ *planner, dst obj) obj {
		same := func(id string) (string, string) { return id, "" }
		body, _ := policyBody(dst, &mapper{group: same, posture: same, peer: same, resource: same})
		return body
	}}

// mapGroup is the target's id for a source group id, by name.
func (p *planner) mapGroup(id string) (string, string) {
	name, ok := p.src.names("/groups")[id]
	if !ok {
		return "", "unknown source group " + id
	}
	if tid, ok := p.target["/groups"][name]; ok {
		return tid, ""
	}
	return "", "group '" + name + "' missing on target"
}

func (p *planner) mapPosture(id string) (string, string) {
	name := p.src.names("/posture-checks")[id]
	if tid, ok := p.target["/posture-checks"][name]; ok && name != "" {
		return tid, ""
	}
	return "", "posture check '" + name + "' missing on target"
}

func (p *planner) mapPeer(id string) (string, string) {
	name, ok := p.src.names("/peers")[id]
	if !ok {
		return "", "stale reference to a peer " + id
	}
	if tid, ok := p.target["/peers"][name]; ok {
		return tid, ""
	}
	return "", "peer '" + name + "' not enrolled on target"
}

// mapper turns a source id into the target's, or says why it cannot.
type mapper struct {
	group, posture, peer, resource func(id string) (string, string)
	waiting                        bool // the only problem is a peer not enrolled yet
}

// policyBody is a policy in the request form (PolicyUpdate: group ids, not
// objects) with its ids mapped.
func policyBody(pol obj, m *mapper) (obj, string) {
	reason := ""
	fail := func(r string) {
		if reason == "" {
			reason = r
		}
	}
	mapAll := func(ids []string, f func(string) (string, string)) []string {
		var out []string
		for _, id := range ids {
			t, r := f(id)
			if r != "" {
				fail(r)
				continue
			}
			out = append(out, t)
		}
		return sortedStrings(out)
	}
	var posture []string
	for _, v := range list(pol["source_posture_checks"]) {
		posture = append(posture, str(v))
	}
	var rules []any
	for _, rv := range list(pol["rules"]) {
		r, _ := rv.(obj)
		rule := obj{"name": str(r["name"]), "description": str(r["description"]), "enabled": r["enabled"], "action": r["action"],
			"bidirectional": r["bidirectional"], "protocol": r["protocol"]}
		for _, sideKey := range []string{"sources", "destinations"} {
			if r[sideKey] != nil {
				rule[sideKey] = mapAll(refIDs(r[sideKey]), m.group)
			}
		}
		for _, resKey := range []string{"sourceResource", "destinationResource"} {
			res, ok := r[resKey].(obj)
			if !ok || res == nil {
				continue
			}
			f := m.resource
			if str(res["type"]) == "peer" {
				f = m.peer
			}
			id, why := f(str(res["id"]))
			if why != "" {
				fail(why)
				m.waiting = m.waiting || strings.HasPrefix(why, "peer ")
				continue
			}
			rule[resKey] = obj{"id": id, "type": res["type"]}
		}
		for _, k := range []string{"ports", "port_ranges"} {
			if l := list(r[k]); len(l) > 0 {
				rule[k] = l
			}
		}
		if ag, ok := r["authorized_groups"].(obj); ok && len(ag) > 0 {
			mapped := obj{}
			for id, users := range ag {
				t, why := m.group(id)
				if why != "" {
					fail(why)
					continue
				}
				mapped[t] = users
			}
			rule["authorized_groups"] = mapped
		}
		rules = append(rules, rule)
	}
	if rules == nil {
		rules = []any{}
	}
	body := obj{"name": pol["name"], "description": str(pol["description"]), "enabled": pol["enabled"],
		"source_posture_checks": mapAll(posture, m.posture), "rules": rules}
	return body, reason
}

// refIDs reads group references: objects with an id (the read form) or ids.
func refIDs(v any) []string {
	var out []string
	for _, g := range list(v) {
		if s, ok := g.(string); ok {
			out = append(out, s)
		} else {
			out = append(out, str(field(g, "id")))
		}
	}
	return out
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func field(v any, k string) any {
	o, _ := v.(obj)
	return o[k]
}

// sortedStrings is never nil: an empty list and a missing one compare equal.
func sortedStrings(s []string) []string {
	out := append([]string{}, s...)
	sort.Strings(out)
	return out
}
