package fake

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// policyReadForm turns the written form (group ids) into the read form
// (group objects), as the server answers GET.
func (s *Server) policyReadForm(p object) object {
	rules, _ := p["rules"].([]any)
	for _, r := range rules {
		rule, _ := r.(object)
		for _, side := range []string{"sources", "destinations"} {
			ids, _ := rule[side].([]any)
			var groups []any
			for _, id := range ids {
				if _, g := s.col["groups"].find(id.(string)); g != nil {
					groups = append(groups, object{"id": g["id"], "name": g["name"], "peers_count": g["peers_count"], "resources_count": g["resources_count"]})
				}
			}
			if ids != nil {
				rule[side] = groups
			}
		}
	}
	return p
}

// setupKeyReadForm is the SetupKey the server answers a create with: the
// expiry from expires_in (0: never, shown as the zero time), valid, unused.
func (s *Server) setupKeyReadForm(k object) object {
	expires := "0001-01-01T00:00:00Z"
	if secs, _ := k["expires_in"].(float64); secs > 0 {
		expires = s.Now().Add(time.Duration(secs) * time.Second).UTC().Format(time.RFC3339Nano)
	}
	groups, _ := k["auto_groups"].([]any)
	if groups == nil {
		groups = []any{}
	}
	s.seq++
	return object{"name": k["name"], "type": k["type"], "expires": expires, "valid": true, "revoked": false, "used_times": 0,
		"last_used": "0001-01-01T00:00:00Z", "state": "valid", "auto_groups": groups, "updated_at": s.Now().UTC().Format(time.RFC3339Nano),
		"usage_limit": k["usage_limit"], "ephemeral": k["ephemeral"] == true, "allow_extra_dns_labels": k["allow_extra_dns_labels"] == true,
		"key": fmt.Sprintf("FAKE%08d-0000-0000-0000-000000000000", s.seq)}
}

// groupReadForm turns a GroupRequest (peer ids) into the Group the server
// answers with: peers as {id, name}, the counts, issued "api".
func (s *Server) groupReadForm(g object) object {
	ids, _ := g["peers"].([]any)
	peers := []any{}
	for _, id := range ids {
		if _, p := s.col["peers"].find(fmt.Sprint(id)); p != nil {
			peers = append(peers, object{"id": p["id"], "name": p["name"]})
		}
	}
	res, _ := g["resources"].([]any)
	if res == nil {
		res = []any{}
	}
	return object{"name": g["name"], "peers": peers, "peers_count": len(peers), "resources": res, "resources_count": len(res), "issued": "api"}
}

// validateGroup is the server's checks of a group write (groups_handler.go,
// group.go): All cannot be updated, a name is needed, an API group's name
// is unique, every peer must exist. These are typed errors, which the
// server sends lower-cased.
func (s *Server) validateGroup(g, existing object, update bool) (string, int) {
	name, _ := g["name"].(string)
	switch {
	case update && existing["id"] == s.allGroupID():
		return "updating group all is not allowed", http.StatusUnprocessableEntity
	case name == "":
		return "group name shouldn't be empty", http.StatusUnprocessableEntity
	}
	if !update {
		for _, o := range s.col["groups"].items {
			if o["name"] == name && (o["issued"] == nil || o["issued"] == "api") {
				return strings.ToLower(fmt.Sprintf("group with name %s already exists", name)), http.StatusConflict
			}
		}
	}
	return "", 0
}

// allGroupID is the id of the group the server finds by the name All (the
// first): a second group may be named All, and only the first is guarded.
func (s *Server) allGroupID() any {
	for _, g := range s.col["groups"].items {
		if g["name"] == "All" {
			return g["id"]
		}
	}
	return nil
}

// groupLink is why a group cannot be deleted (group.go validateDeleteGroup),
// or "".
func (s *Server) groupLink(id string) string {
	has := func(v any) bool {
		for _, x := range anyList(v) {
			if x == id {
				return true
			}
			if m, ok := x.(object); ok && m["id"] == id {
				return true
			}
		}
		return false
	}
	for _, r := range s.col["routes"].items {
		if has(r["groups"]) || has(r["peer_groups"]) || has(r["access_control_groups"]) {
			return "route: " + str(r["network_id"])
		}
	}
	for _, n := range s.col["dns/nameservers"].items {
		if has(n["groups"]) {
			return "name server groups: " + str(n["name"])
		}
	}
	for _, p := range s.col["policies"].items {
		for _, r := range anyList(p["rules"]) {
			rule, _ := r.(object)
			if has(rule["sources"]) || has(rule["destinations"]) {
				return "policy: " + str(p["name"])
			}
		}
	}
	for _, k := range s.col["setup-keys"].items {
		if has(k["auto_groups"]) {
			return "setup key: " + str(k["name"])
		}
	}
	return ""
}
