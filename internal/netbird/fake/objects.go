package fake

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// The configuration objects, kept as the server's JSON (every field, in
// the read form: policies' rules carry group objects).
var (
	//go:embed fixtures/peers.json
	PeersJSON []byte
	//go:embed fixtures/groups.json
	GroupsJSON []byte
	//go:embed fixtures/policies.json
	PoliciesJSON []byte
	//go:embed fixtures/posture_checks.json
	PostureChecksJSON []byte
)

type object = map[string]any

// objects holds one collection.
type objects struct {
	items []object
}

func load(raw []byte) *objects {
	var items []object
	if err := json.Unmarshal(raw, &items); err != nil {
		panic(err)
	}
	return &objects{items: items}
}

func (o *objects) find(id string) (int, object) {
	for i, it := range o.items {
		if it["id"] == id {
			return i, it
		}
	}
	return -1, nil
}

// SetPeers replaces the peers (a JSON array as GET /api/peers returns).
func (s *Server) SetPeers(body string) { s.setCollection("peers", []byte(body)) }

// SetGroups replaces the groups.
func (s *Server) SetGroups(body string) { s.setCollection("groups", []byte(body)) }

// SetPostureChecks replaces the posture checks.
func (s *Server) SetPostureChecks(body string) { s.setCollection("posture-checks", []byte(body)) }

// SetPolicies replaces the policies (read form).
func (s *Server) SetPolicies(body string) { s.setCollection("policies", []byte(body)) }

func (s *Server) setCollection(name string, raw []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.col[name] = load(raw)
}

// Collection returns a copy of a collection ("peers", "groups", "policies",
// "posture-checks", "setup-keys") as JSON, for assertions.
func (s *Server) Collection(name string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, _ := json.Marshal(s.col[name].items)
	return b
}

// Writes returns the requests that would change something.
func (s *Server) Writes() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, r)
		}
	}
	return out
}

var collections = []string{"peers", "groups", "policies", "posture-checks", "setup-keys"}

func splitObjectPath(path string) (name, id string, hasID, ok bool) {
	rest, ok := strings.CutPrefix(path, "/api/")
	if !ok {
		return "", "", false, false
	}
	name, id, hasID = strings.Cut(rest, "/")
	ok = slices.Contains(collections, name) && !strings.Contains(id, "/") && !(hasID && id == "")
	return name, id, hasID, ok
}

func isObjectPath(path string) bool {
	_, _, _, ok := splitObjectPath(path)
	return ok
}

// objectRoute serves /api/<collection> and /api/<collection>/<id> with the
// methods the real server allows; admin is false for a read-only token.
func (s *Server) objectRoute(w http.ResponseWriter, r *http.Request, admin bool) {
	name, id, hasID, _ := splitObjectPath(r.URL.Path)
	allowed := map[string][]string{
		"peers":          {"GET", "GET/", "PUT/", "DELETE/"},
		"groups":         {"GET", "GET/", "POST", "PUT/", "DELETE/"},
		"policies":       {"GET", "GET/", "POST", "PUT/", "DELETE/"},
		"posture-checks": {"GET", "GET/", "POST", "PUT/", "DELETE/"},
		"setup-keys":     {"GET", "GET/", "POST", "PUT/", "DELETE/"},
	}[name]
	key := r.Method
	if hasID {
		key += "/"
	}
	if !slices.Contains(allowed, key) {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if r.Method != http.MethodGet && !admin {
		WriteError(w, http.StatusForbidden, "permission denied")
		return
	}
	var body object
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		raw, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.requests[len(s.requests)-1].Body = string(raw)
		s.mu.Unlock()
		if json.Unmarshal(raw, &body) != nil || body == nil {
			WriteError(w, http.StatusBadRequest, "couldn't parse JSON request")
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	col := s.col[name]
	singular := map[string]string{"peers": "peer", "groups": "group", "policies": "policy", "posture-checks": "posture check", "setup-keys": "setup key"}[name]
	i, it := -1, object(nil)
	if hasID {
		if i, it = col.find(id); it == nil {
			WriteError(w, http.StatusNotFound, fmt.Sprintf("%s not found: %s", singular, id))
			return
		}
	}
	switch r.Method {
	case http.MethodGet:
		if hasID {
			writeJSON(w, it)
		} else {
			writeJSON(w, col.items)
		}
	case http.MethodDelete:
		col.items = slices.Delete(col.items, i, i+1)
		writeJSON(w, object{})
	case http.MethodPost, http.MethodPut:
		if name == "policies" {
			if msg := s.validatePolicy(body); msg != "" {
				WriteError(w, http.StatusUnprocessableEntity, msg)
				return
			}
			body = s.policyReadForm(body)
		}
		if name == "groups" {
			if n, _ := it["name"].(string); hasID && n == "All" {
				WriteError(w, http.StatusUnprocessableEntity, "updating group ALL is not allowed")
				return
			}
			body = s.groupReadForm(body)
		}
		if name == "setup-keys" && r.Method == http.MethodPost {
			body = s.setupKeyReadForm(body)
		}
		if name == "peers" {
			// PeerRequest changes these; the rest of the peer stays.
			next := object{}
			for k, v := range it {
				next[k] = v
			}
			for _, k := range []string{"name", "ssh_enabled", "login_expiration_enabled", "inactivity_expiration_enabled", "approval_required"} {
				if v, ok := body[k]; ok {
					next[k] = v
				}
			}
			body = next
		}
		if name == "setup-keys" && r.Method == http.MethodPut {
			// Only auto_groups and revoked can change; a revoked key stays revoked.
			next := object{}
			for k, v := range it {
				next[k] = v
			}
			if v, ok := body["auto_groups"]; ok {
				next["auto_groups"] = v
			}
			if rev, _ := body["revoked"].(bool); rev {
				next["revoked"] = true
			} else if was, _ := it["revoked"].(bool); was {
				WriteError(w, http.StatusUnprocessableEntity, "can't un-revoke a revoked setup key")
				return
			}
			body = next
		}
		if hasID {
			body["id"] = id
			col.items[i] = body
		} else {
			s.seq++
			body["id"] = fmt.Sprintf("fake%012d", s.seq)
			col.items = append(col.items, body)
		}
		writeJSON(w, body)
	}
}

// validatePolicy applies the server's checks that operators meet.
func (s *Server) validatePolicy(p object) string {
	if name, _ := p["name"].(string); name == "" {
		return "policy name shouldn't be empty"
	}
	rules, _ := p["rules"].([]any)
	for _, r := range rules {
		rule, _ := r.(object)
		proto, _ := rule["protocol"].(string)
		ports, _ := rule["ports"].([]any)
		ranges, _ := rule["port_ranges"].([]any)
		if (proto == "all" || proto == "icmp") && (len(ports) > 0 || len(ranges) > 0) {
			return "for all or icmp protocol ports is not allowed"
		}
		for _, side := range []string{"sources", "destinations"} {
			ids, _ := rule[side].([]any)
			for _, id := range ids {
				if sid, ok := id.(string); !ok {
					return fmt.Sprintf("couldn't parse JSON request: %s must be group ids", side)
				} else if _, g := s.col["groups"].find(sid); g == nil {
					return fmt.Sprintf("group %s not found", sid)
				}
			}
		}
	}
	return ""
}

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

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	b, _ := json.Marshal(v)
	w.Write(append(b, '\n'))
}
