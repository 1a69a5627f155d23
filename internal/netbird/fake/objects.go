package fake

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
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

// collections are the writable object collections; a network's resources
// and routers are collections of their own ("networks/<id>/resources").
var collections = []string{"peers", "groups", "policies", "posture-checks", "setup-keys", "routes", "dns/nameservers", "networks"}

var nestedPath = regexp.MustCompile(`^networks/([^/]+)/(resources|routers)(?:/([^/]+))?$`)

func splitObjectPath(path string) (name, id string, hasID, ok bool) {
	rest, ok := strings.CutPrefix(path, "/api/")
	if !ok {
		return "", "", false, false
	}
	if u, ok := strings.CutPrefix(rest, "users/"); ok && u != "" && u != "current" && !strings.Contains(u, "/") {
		return rest, "", false, true // served by singletonRoute
	}
	if rest == "networks/routers" || rest == "dns/settings" || rest == "accounts" || strings.HasPrefix(rest, "accounts/") {
		return rest, "", false, true // served by singletonRoute
	}
	if m := nestedPath.FindStringSubmatch(rest); m != nil {
		return "networks/" + m[1] + "/" + m[2], m[3], m[3] != "", true
	}
	for _, c := range collections {
		if rest == c {
			return c, "", false, true
		}
		if id, found := strings.CutPrefix(rest, c+"/"); found && id != "" && !strings.Contains(id, "/") {
			return c, id, true, true
		}
	}
	return "", "", false, false
}

func isObjectPath(path string) bool {
	_, _, _, ok := splitObjectPath(path)
	return ok
}

// objectRoute serves /api/<collection> and /api/<collection>/<id> with the
// methods the real server allows; admin is false for a read-only token.
func (s *Server) objectRoute(w http.ResponseWriter, r *http.Request, admin bool) {
	name, id, hasID, _ := splitObjectPath(r.URL.Path)
	if s.singletonRoute(w, r, name, admin) {
		return
	}
	allowed := []string{"GET", "GET/", "POST", "PUT/", "DELETE/"}
	if name == "peers" {
		allowed = []string{"GET", "GET/", "PUT/", "DELETE/"}
	}
	key := r.Method
	if hasID {
		key += "/"
	}
	if name == "peers" && key == "POST" {
		notFound(w) // no route takes it: the router's own 404
		return
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
		var ok bool
		if body, ok = s.readBody(w, r); !ok {
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	col := s.col[name]
	if col == nil { // a network's resources or routers
		network, _, _ := strings.Cut(strings.TrimPrefix(name, "networks/"), "/")
		if _, n := s.col["networks"].find(network); n == nil {
			switch {
			case r.Method == http.MethodGet && !hasID:
				writeJSON(w, []any{}) // listed by network id, found or not
			case r.Method == http.MethodPost && strings.HasSuffix(name, "/resources"):
				WriteError(w, http.StatusNotFound, "failed to create network resource: failed to get network: network: "+network+" not found")
			default:
				WriteError(w, http.StatusNotFound, "network: "+network+" not found")
			}
			return
		}
		col = &objects{}
		s.col[name] = col
	}
	i, it := -1, object(nil)
	if hasID {
		if i, it = col.find(id); it == nil {
			code, msg := notFoundError(name, r.Method, id)
			WriteError(w, code, msg)
			return
		}
	}
	switch r.Method {
	case http.MethodGet:
		if name == "networks" {
			for _, n := range col.items {
				s.networkLists(n)
			}
		}
		if hasID {
			writeJSON(w, it)
		} else {
			writeJSON(w, col.items)
		}
	case http.MethodDelete:
		if name == "groups" {
			// The delete handler answers its joined errors with 400, as written.
			if it["id"] == s.allGroupID() {
				WriteError(w, http.StatusBadRequest, "deleting group ALL is not allowed")
				return
			}
			if link := s.groupLink(id); link != "" {
				WriteError(w, http.StatusBadRequest, "group has been linked to "+link)
				return
			}
		}
		if name == "posture-checks" {
			for _, p := range s.col["policies"].items {
				if slices.Contains(anyList(p["source_posture_checks"]), any(id)) {
					WriteError(w, http.StatusPreconditionFailed, "posture checks have been linked to policy: "+str(p["name"]))
					return
				}
			}
		}
		col.items = slices.Delete(col.items, i, i+1)
		if name == "networks" {
			delete(s.col, "networks/"+id+"/resources")
			delete(s.col, "networks/"+id+"/routers")
		}
		writeJSON(w, object{})
	case http.MethodPost, http.MethodPut:
		if name == "policies" {
			if code, msg := validatePolicy(body); msg != "" {
				WriteError(w, code, msg)
				return
			}
			body = s.policyReadForm(body)
		}
		if strings.HasSuffix(name, "/resources") {
			if code, msg := validateResource(col, id, body); msg != "" {
				WriteError(w, code, msg)
				return
			}
		}
		if strings.HasSuffix(name, "/routers") {
			if msg := validateRouter(body); msg != "" {
				WriteError(w, http.StatusBadRequest, msg)
				return
			}
		}
		if name == "groups" {
			if msg, code := s.validateGroup(body, it, hasID); msg != "" {
				WriteError(w, code, msg)
				return
			}
			body = s.groupReadForm(body)
		}
		if code, msg := s.validateWrite(name, id, body); msg != "" {
			WriteError(w, code, msg)
			return
		}
		body = s.readForm(name, body)
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

// validatePolicy: group ids that are not strings (the read form's group
// objects) do not decode (400); then the handler's checks.
func validatePolicy(p object) (int, string) {
	for _, r := range anyList(p["rules"]) {
		rule, _ := r.(object)
		for _, side := range []string{"sources", "destinations"} {
			for _, id := range anyList(rule[side]) {
				if _, ok := id.(string); !ok {
					return http.StatusBadRequest, "couldn't parse JSON request"
				}
			}
		}
	}
	if msg := validatePolicyRequest(p); msg != "" {
		return http.StatusUnprocessableEntity, msg
	}
	return 0, ""
}

// notFoundError is the server's answer for an id it does not have: typed
// NotFound errors ("<kind>: <id> not found"), a route's delete wrapped,
// a group's delete as a 400.
func notFoundError(name, method, id string) (int, string) {
	switch {
	case name == "peers":
		return http.StatusNotFound, "peer not found: " + id
	case name == "routes" && method == http.MethodDelete:
		return http.StatusNotFound, "failed to delete route " + id + ": route: " + id + " not found"
	case name == "groups" && method == http.MethodDelete:
		return http.StatusBadRequest, "group: " + id + " not found"
	}
	kind := map[string]string{"groups": "group", "policies": "policy", "posture-checks": "posture checks", "setup-keys": "setup key",
		"routes": "route", "dns/nameservers": "nameserver group", "networks": "network"}[name]
	if kind == "" {
		kind = "network " + strings.TrimSuffix(name[strings.LastIndex(name, "/")+1:], "s")
	}
	return http.StatusNotFound, kind + ": " + id + " not found"
}

// notFound is the router's plain-text 404.
func notFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprintln(w, "404 page not found")
}

// readBody records a write's body for Writes() and decodes it as the
// server does: a body that is not a JSON object is a 400.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (object, bool) {
	raw, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.requests[len(s.requests)-1].Body = string(raw)
	s.mu.Unlock()
	var body object
	if json.Unmarshal(raw, &body) != nil || body == nil {
		WriteError(w, http.StatusBadRequest, "couldn't parse JSON request")
		return nil, false
	}
	return body, true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	b, _ := json.Marshal(v)
	w.Write(append(b, '\n'))
}
