package mirror

import "strings"

// routes: the network routes, matched by their network identifier.
var routes = &section{name: "routes", kind: "route", path: "/routes",
	key: func(_ *side, o obj) string { return str(o["network_id"]) },
	desired: func(p *planner, src, _ obj) (obj, []string, hold) {
		return routeBody(src, p.mapGroup, p.mapPeer)
	},
	current: func(_ *planner, dst obj) obj {
		same := func(id string) (string, string) { return id, "" }
		body, _, _ := routeBody(dst, same, same)
		return body
	}}

func routeBody(r obj, group, peer func(string) (string, string)) (obj, []string, hold) {
	body := obj{"network_id": r["network_id"], "description": str(r["description"]), "enabled": r["enabled"] == true, "metric": r["metric"],
		"masquerade": r["masquerade"] == true, "keep_route": r["keep_route"] == true}
	// NetBird takes exactly one of network and domains, and one of peer
	// and peer_groups: a key sent empty counts as given (422). A domain
	// route reads back with network "invalid Prefix", a peer-group route
	// with peer "".
	if d := list(r["domains"]); len(d) > 0 {
		body["domains"] = d
	} else {
		body["network"] = str(r["network"])
	}
	keys := []string{"groups", "access_control_groups"}
	if str(r["peer"]) == "" {
		keys = append(keys, "peer_groups")
	}
	for _, k := range keys {
		m, h := mapAll(anyIDs(r[k]), group)
		if h.reason != "" {
			return nil, nil, h
		}
		body[k] = m
	}
	if id := str(r["peer"]); id != "" {
		t, why := peer(id)
		if why != "" {
			return nil, nil, hold{reason: why, waiting: strings.HasPrefix(why, "peer ")}
		}
		body["peer"] = t
	}
	return body, []string{"description", "enabled", "metric", "masquerade", "keep_route", "groups", "access_control_groups", "peer", "peer_groups", "network", "domains"}, hold{}
}

// nameservers: the nameserver groups, matched by name.
var nameservers = &section{name: "nameservers", kind: "nameserver group", path: "/dns/nameservers",
	desired: func(p *planner, src, _ obj) (obj, []string, hold) {
		groups, h := mapAll(anyIDs(src["groups"]), p.mapGroup)
		if h.reason != "" {
			return nil, nil, h
		}
		body := nsBody(src)
		body["groups"] = groups
		return body, []string{"description", "nameservers", "enabled", "groups", "primary", "domains", "search_domains_enabled"}, hold{}
	},
	current: func(_ *planner, dst obj) obj {
		body := nsBody(dst)
		body["groups"] = ids(dst["groups"])
		return body
	}}

func nsBody(n obj) obj {
	domains := list(n["domains"])
	if domains == nil {
		domains = []any{}
	}
	return obj{"name": n["name"], "description": str(n["description"]), "nameservers": n["nameservers"], "enabled": n["enabled"] == true,
		"primary": n["primary"] == true, "domains": domains, "search_domains_enabled": n["search_domains_enabled"] == true}
}
