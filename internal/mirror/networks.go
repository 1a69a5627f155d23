package mirror

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// mapAll maps source ids with f; the first problem holds the object back
// (a peer not enrolled yet only makes it wait).
func mapAll(ids []any, f func(string) (string, string)) ([]string, hold) {
	out := []string{}
	for _, id := range ids {
		t, why := f(str(id))
		if why != "" {
			return nil, hold{reason: why, waiting: strings.HasPrefix(why, "peer ")}
		}
		out = append(out, t)
	}
	return sortedStrings(out), hold{}
}

// ids are the sorted ids of a list of references (objects or ids).
func ids(v any) []string { return sortedStrings(refIDs(v)) }

var networks = &section{name: "networks", kind: "network", path: "/networks",
	desired: func(_ *planner, src, _ obj) (obj, []string, hold) {
		return obj{"name": src["name"], "description": str(src["description"])}, []string{"description"}, hold{}
	},
	current: func(_ *planner, dst obj) obj { return obj{"description": str(dst["description"])} }}

// inNetwork is where a network's resource or router is created on the
// target: under the target's network of the same name.
func inNetwork(kind string) func(p *planner, src obj) (string, string) {
	return func(p *planner, src obj) (string, string) {
		net := str(src["_network"])
		id, ok := p.target["/networks"][net]
		if !ok {
			return "", "network '" + net + "' missing on target"
		}
		return "/networks/" + url.PathEscape(id) + "/" + kind, ""
	}
}

// resources: matched by network name and resource name.
var resources = &section{name: "resources", kind: "resource", listName: "resources",
	key:        func(_ *side, o obj) string { return str(o["_network"]) + "/" + str(o["name"]) },
	collection: inNetwork("resources"),
	desired: func(p *planner, src, _ obj) (obj, []string, hold) {
		groups, h := mapAll(anyIDs(src["groups"]), p.mapGroup)
		if h.reason != "" {
			return nil, nil, h
		}
		return obj{"name": src["name"], "description": str(src["description"]), "address": src["address"], "enabled": src["enabled"] == true, "groups": groups},
			[]string{"description", "address", "enabled", "groups"}, hold{}
	},
	current: func(_ *planner, dst obj) obj {
		return obj{"description": str(dst["description"]), "address": dst["address"], "enabled": dst["enabled"] == true, "groups": ids(dst["groups"])}
	}}

// routers: matched within their network by the routing peer's name, or
// by the names of their peer groups.
var routers = &section{name: "routers", kind: "router", listName: "routers",
	key: func(s *side, o obj) string {
		if peer := str(o["peer"]); peer != "" {
			return str(o["_network"]) + "/" + s.names("/peers")[peer]
		}
		var names []string
		groups := s.names("/groups")
		for _, g := range refIDs(o["peer_groups"]) {
			names = append(names, groups[g])
		}
		return str(o["_network"]) + "/groups:" + strings.Join(sortedStrings(names), ",")
	},
	collection: inNetwork("routers"),
	desired: func(p *planner, src, _ obj) (obj, []string, hold) {
		body := obj{"metric": src["metric"], "masquerade": src["masquerade"] == true, "enabled": src["enabled"] == true, "peer": "", "peer_groups": []string{}}
		if peer := str(src["peer"]); peer != "" {
			id, why := p.mapPeer(peer)
			if why != "" {
				return nil, nil, hold{reason: why, waiting: strings.HasPrefix(why, "peer ")}
			}
			body["peer"] = id
		} else {
			groups, h := mapAll(anyIDs(src["peer_groups"]), p.mapGroup)
			if h.reason != "" {
				return nil, nil, h
			}
			body["peer_groups"] = groups
		}
		return body, []string{"metric", "masquerade", "enabled", "peer", "peer_groups"}, hold{}
	},
	current: func(_ *planner, dst obj) obj {
		return obj{"metric": dst["metric"], "masquerade": dst["masquerade"] == true, "enabled": dst["enabled"] == true, "peer": str(dst["peer"]), "peer_groups": ids(dst["peer_groups"])}
	}}

// mapResource is the target's id of a source network resource.
func (p *planner) mapResource(id string) (string, string) {
	for _, r := range p.src.lists["resources"] {
		if str(r["id"]) == id {
			key := resources.keyOf(p.src, r)
			if tid, ok := p.target["resources"][key]; ok {
				return tid, ""
			}
			return "", "resource '" + key + "' missing on target"
		}
	}
	return "", "unknown source resource " + id
}

// dnsSettings is one object: the groups whose DNS management is off.
var dnsSettings = &section{name: "dns-settings", kind: "dns settings",
	upsert: func(ctx context.Context, p *planner) error {
		want, h := mapAll(anyIDs(p.src.dns["disabled_management_groups"]), p.mapGroup)
		if h.reason != "" {
			p.counts.Skipped++
			p.counts.Unresolved = append(p.counts.Unresolved, "dns-settings: "+h.reason)
			p.note(Change{Op: "skip", Section: "dns-settings", Name: "disabled_management_groups", Reason: h.reason}, nil, nil, nil)
			return nil
		}
		if canon(want) == canon(ids(p.dst.dns["disabled_management_groups"])) {
			if p.o.Verbose {
				p.note(Change{Op: "same", Section: "dns-settings", Name: "settings"}, nil, nil, nil)
			}
			return nil
		}
		before := obj{"disabled_management_groups": ids(p.dst.dns["disabled_management_groups"])}
		if p.o.Apply {
			if _, err := p.write(ctx, http.MethodPut, "/dns/settings", obj{"disabled_management_groups": want}); err != nil {
				p.failed("dns-settings", "settings", "update", err, []string{"disabled_management_groups"}, before, obj{"disabled_management_groups": want})
				return nil
			}
			p.dst.dns = obj{"disabled_management_groups": anyStrings(want)}
		}
		p.counts.Updated++
		p.note(Change{Op: "update", Section: "dns-settings", Name: "settings"}, []string{"disabled_management_groups"},
			before, obj{"disabled_management_groups": want})
		return nil
	}}

func anyIDs(v any) []any {
	var out []any
	for _, id := range refIDs(v) {
		out = append(out, id)
	}
	return out
}

func anyStrings(s []string) []any {
	out := []any{}
	for _, x := range s {
		out = append(out, x)
	}
	return out
}
