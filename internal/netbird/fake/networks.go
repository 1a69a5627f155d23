package fake

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"
)

// fixtureCollection loads a captured list as a writable collection.
func fixtureCollection(file string) *objects {
	raw, err := fixtureFS.ReadFile("fixtures/" + file)
	if err != nil {
		panic(err)
	}
	return load(raw)
}

// SetRoutes replaces the routes (a JSON array as GET /api/routes returns).
func (s *Server) SetRoutes(body string) { s.setCollection("routes", []byte(body)) }

// SetNetworks replaces the networks and drops their resources and routers.
func (s *Server) SetNetworks(body string) {
	s.mu.Lock()
	for name := range s.col {
		if strings.HasPrefix(name, "networks/") {
			delete(s.col, name)
		}
	}
	s.mu.Unlock()
	s.setCollection("networks", []byte(body))
}

// SetNameservers replaces the nameserver groups.
func (s *Server) SetNameservers(body string) { s.setCollection("dns/nameservers", []byte(body)) }

// readForm is what the server answers (and later lists) for a written
// object of these collections.
func (s *Server) readForm(name string, body object) object {
	switch {
	case name == "routes":
		body["network_type"] = "IPv4"
		if d, _ := body["domains"].([]any); len(d) > 0 {
			body["network_type"] = "Domain"
		} else if n, _ := body["network"].(string); strings.Contains(n, ":") {
			body["network_type"] = "IPv6"
		}
	case name == "networks":
		body = object{"name": body["name"], "description": body["description"]}
	case strings.HasSuffix(name, "/resources"):
		addr, _ := body["address"].(string)
		body["type"] = "domain"
		if _, n, err := net.ParseCIDR(addr); err == nil {
			body["type"] = "subnet"
			if ones, bits := n.Mask.Size(); ones == bits {
				body["type"] = "host"
			}
		} else if net.ParseIP(addr) != nil {
			body["type"] = "host"
		}
		var groups []any
		for _, id := range anyList(body["groups"]) {
			if _, g := s.col["groups"].find(str(id)); g != nil {
				groups = append(groups, object{"id": g["id"], "name": g["name"], "peers_count": g["peers_count"], "resources_count": g["resources_count"]})
			}
		}
		body["groups"] = groups
	}
	return body
}

// networkLists fills a network's derived fields from its collections.
func (s *Server) networkLists(n object) {
	id := str(n["id"])
	ids := func(col string) []any {
		out := []any{}
		if c := s.col["networks/"+id+"/"+col]; c != nil {
			for _, it := range c.items {
				out = append(out, it["id"])
			}
		}
		return out
	}
	n["resources"], n["routers"] = ids("resources"), ids("routers")
	peers := 0
	if c := s.col["networks/"+id+"/routers"]; c != nil {
		peers = len(c.items)
	}
	n["routing_peers_count"] = peers
	if n["policies"] == nil {
		n["policies"] = []any{}
	}
}

// singletonRoute serves what is not a collection: every network's routers
// at once, the DNS settings and the account (GET, and PUT of its settings).
func (s *Server) singletonRoute(w http.ResponseWriter, r *http.Request, name string, admin bool) bool {
	if id, ok := strings.CutPrefix(name, "users/"); ok {
		if r.Method != http.MethodPut && r.Method != http.MethodDelete {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return true
		}
		s.writeUser(w, r, id)
		return true
	}
	if name != "networks/routers" && name != "dns/settings" && name != "accounts" && !strings.HasPrefix(name, "accounts/") {
		return false
	}
	write := r.Method == http.MethodPut && name != "networks/routers" && name != "accounts"
	if r.Method != http.MethodGet && !write {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return true
	}
	if write && !admin {
		WriteError(w, http.StatusForbidden, "permission denied")
		return true
	}
	var body object
	if write {
		var ok bool
		if body, ok = s.readBody(w, r); !ok {
			return true
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dnsSettings == nil {
		raw, _ := fixtureFS.ReadFile("fixtures/dns_settings.json")
		json.Unmarshal(raw, &s.dnsSettings)
		s.accounts = fixtureCollection("accounts.json")
	}
	switch {
	case name == "networks/routers":
		all := []any{}
		for col, c := range s.col {
			if strings.HasSuffix(col, "/routers") {
				for _, it := range c.items {
					all = append(all, it)
				}
			}
		}
		writeJSON(w, all)
	case name == "dns/settings":
		if msg := s.validateDNSSettings(body); write && msg != "" {
			WriteError(w, http.StatusUnprocessableEntity, msg)
			return true
		}
		if write {
			s.dnsSettings = object{"disabled_management_groups": body["disabled_management_groups"]}
		}
		writeJSON(w, s.dnsSettings)
	case name == "accounts":
		writeJSON(w, s.accounts.items)
	default:
		id := strings.TrimPrefix(name, "accounts/")
		_, acc := s.accounts.find(id)
		if acc == nil {
			WriteError(w, http.StatusForbidden, "failed to validate user permissions: user is not part of this account")
			return true
		}
		if msg := validateAccountSettings(body); write && msg != "" {
			WriteError(w, http.StatusUnprocessableEntity, msg)
			return true
		}
		if write {
			settings, _ := acc["settings"].(object)
			next, _ := body["settings"].(object)
			for k, v := range next {
				settings[k] = v
			}
		}
		writeJSON(w, acc)
	}
	return true
}

func anyList(v any) []any {
	l, _ := v.([]any)
	return l
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// SetList replaces any writable collection by its API path without /api,
// e.g. "networks/<id>/routers".
func (s *Server) SetList(path, body string) { s.setCollection(path, []byte(body)) }

// SetDNSSettings replaces GET /api/dns/settings.
func (s *Server) SetDNSSettings(body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts = fixtureCollection("accounts.json")
	s.dnsSettings = nil
	if err := json.Unmarshal([]byte(body), &s.dnsSettings); err != nil {
		panic(err)
	}
}

// SetAccounts replaces GET /api/accounts.
func (s *Server) SetAccounts(body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dnsSettings == nil {
		raw, _ := fixtureFS.ReadFile("fixtures/dns_settings.json")
		json.Unmarshal(raw, &s.dnsSettings)
	}
	s.accounts = load([]byte(body))
}
