package fake

import (
	"embed"
	"net/http"
	"strings"
)

//go:embed fixtures/*.json
var fixtureFS embed.FS

// staticRoutes are read-only endpoints answered with the real server's
// captured bodies (the export reads them).
var staticRoutes = map[string]string{
	"/api/dns/zones":                "dns_zones.json",
	"/api/identity-providers":       "identity_providers.json",
	"/api/reverse-proxies/services": "reverse_proxy_services.json",
	"/api/reverse-proxies/domains":  "reverse_proxy_domains.json",
	"/api/instance/version":         "instance_version.json",
	// Empty on a fresh account, as the real server answers them (invites
	// with the embedded IdP, which the real test server runs).
	"/api/users/invites":                "empty_list.json",
	"/api/reverse-proxies/proxy-tokens": "empty_list.json",
}

// SetStatic replaces the body the fake answers for one of its read-only
// paths (/api/routes, /api/networks/routers, /api/accounts …).
func (s *Server) SetStatic(path, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.static == nil {
		s.static = map[string][]byte{}
	}
	s.static[path] = []byte(body)
}

// staticRoute serves a captured body, or a user's tokens ([] for any user).
func (s *Server) staticRoute(w http.ResponseWriter, r *http.Request) bool {
	if strings.HasPrefix(r.URL.Path, "/api/users/") && strings.HasSuffix(r.URL.Path, "/tokens") {
		return s.tokensRoute(w, r)
	}
	if r.Method != http.MethodGet {
		return false
	}
	s.mu.Lock()
	override, set := s.static[r.URL.Path]
	s.mu.Unlock()
	if set {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.Write(override)
		return true
	}
	file, ok := staticRoutes[r.URL.Path]
	if !ok {
		return false
	}
	b, err := fixtureFS.ReadFile("fixtures/" + file)
	if err != nil {
		return false
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Write(b)
	return true
}

func isStaticPath(path string) bool {
	_, ok := staticRoutes[path]
	return ok || (strings.HasPrefix(path, "/api/users/") && strings.HasSuffix(path, "/tokens"))
}
