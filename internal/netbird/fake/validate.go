package fake

import (
	"fmt"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"unicode/utf8"
)

// The server's checks of route and nameserver-group writes, with its
// messages (management/server route.go, nameserver.go; typed errors, so
// lower-cased). Each returns "" when the object is accepted.

// validateGroupIDs is the server's validateGroups.
func (s *Server) validateGroupIDs(v any) string {
	ids, _ := v.([]any)
	if len(ids) == 0 {
		return "the list of group IDs should not be empty"
	}
	for _, id := range ids {
		sid, _ := id.(string)
		if sid == "" {
			return "group ID should not be empty string"
		}
		if _, g := s.col["groups"].find(sid); g == nil {
			return "group id " + sid + " not found"
		}
	}
	return ""
}

// validateRoute is the routes handler's checks (presence of exactly one of
// network and domains, of peer and peer_groups: a key sent empty counts),
// then the parsing, then route.go's.
func (s *Server) validateRoute(r object) string {
	metric, _ := r["metric"].(float64)
	netID, _ := r["network_id"].(string)
	network, hasNetwork := r["network"].(string)
	domains, hasDomains := r["domains"].([]any)
	peer, hasPeer := r["peer"].(string)
	_, hasPeerGroups := r["peer_groups"].([]any)
	switch {
	case hasNetwork && hasDomains:
		return "only one of 'network' or 'domains' should be provided"
	case !hasNetwork && !hasDomains:
		return "either 'network' or 'domains' should be provided"
	case !hasPeer && !hasPeerGroups:
		return "either 'peer' or 'peer_groups' should be provided"
	case hasPeer && hasPeerGroups:
		return "only one of 'peer' or 'peer_groups' should be provided"
	case netID == "" || utf8.RuneCountInString(netID) > 40:
		return "identifier should be between 1 and 40 characters"
	}
	if hasDomains {
		if len(domains) == 0 {
			return "invalid domains: domains list is empty"
		}
		for _, d := range domains {
			if ds, _ := d.(string); !domainRe.MatchString(strings.ToLower(ds)) {
				return "invalid domains: invalid domain format: " + ds
			}
		}
	} else if _, err := netip.ParsePrefix(network); err != nil {
		return "invalid network " + network
	}
	if metric < 1 || metric > 9999 {
		return "metric should be between 1 and 9999"
	}
	if peer != "" {
		if _, p := s.col["peers"].find(peer); p == nil {
			return "peer with ID " + peer + " not found"
		}
	}
	for _, k := range []string{"peer_groups", "access_control_groups"} {
		if l, _ := r[k].([]any); len(l) > 0 {
			if msg := s.validateGroupIDs(l); msg != "" {
				return msg
			}
		}
	}
	return s.validateGroupIDs(r["groups"])
}

// domainRe is NetBird's domain check (shared/management/domain/validate.go).
var domainRe = regexp.MustCompile(`^(?:\*\.)?(?:(?:xn--)?[a-zA-Z0-9_](?:[a-zA-Z0-9-_]{0,61}[a-zA-Z0-9])?\.)*(?:xn--)?[a-zA-Z0-9](?:[a-zA-Z0-9-_]{0,61}[a-zA-Z0-9])?$`)

func (s *Server) validateNameservers(n object, id string) string {
	primary := n["primary"] == true
	domains, _ := n["domains"].([]any)
	name, _ := n["name"].(string)
	list, _ := n["nameservers"].([]any)
	// The handler parses the nameservers first.
	for _, x := range list {
		m, _ := x.(object)
		if _, err := netip.ParseAddr(str(m["ip"])); err != nil {
			return "invalid ns servers format"
		}
	}
	switch {
	case !primary && len(domains) == 0:
		return "nameserver group primary status is false and domains are empty, it should be primary or have at least one domain"
	case primary && len(domains) != 0:
		return "nameserver group primary status is true and domains are not empty, you should set either primary or domain"
	case primary && n["search_domains_enabled"] == true:
		return "nameserver group primary status is true and search domains is enabled, you should not set search domains for primary nameservers"
	case name == "" || utf8.RuneCountInString(name) > 40:
		return "nameserver group name should be between 1 and 40"
	}
	for _, o := range s.col["dns/nameservers"].items {
		if o["name"] == name && o["id"] != id {
			return "nameserver group with name " + name + " already exist"
		}
	}
	if len(list) == 0 || len(list) > 3 {
		return fmt.Sprintf("the list of nameservers should be 1 or 3, got %d", len(list))
	}
	return s.validateGroupIDs(n["groups"])
}

// validateWrite runs the checks of a collection; code and message when refused.
func (s *Server) validateWrite(name, id string, body object) (int, string) {
	msg := ""
	switch name {
	case "routes":
		msg = s.validateRoute(body)
	case "dns/nameservers":
		msg = s.validateNameservers(body, id)
	case "setup-keys":
		if id == "" {
			msg = validateSetupKey(body)
		}
		if msg == "" {
			msg = s.validateAutoGroups(body["auto_groups"])
		}
	case "posture-checks":
		msg = validatePostureCheck(body)
	case "peers":
		if code, msg := s.validatePeer(id, body); msg != "" {
			return code, msg
		}
	}
	if msg == "" {
		return 0, ""
	}
	return http.StatusUnprocessableEntity, strings.ToLower(msg)
}

// validateSetupKey is the create handler's checks (setupkeys_handler.go).
func validateSetupKey(k object) string {
	name, _ := k["name"].(string)
	typ, _ := k["type"].(string)
	expires, _ := k["expires_in"].(float64)
	switch {
	case name == "":
		return "setup key name shouldn't be empty"
	case typ != "reusable" && typ != "one-off":
		return "unknown setup key type " + typ
	case expires < 0:
		return "expiresIn can not be in the past"
	}
	return ""
}

// validateAutoGroups is the setup keys' group check (setupkey.go): each
// group must exist and none may be All.
func (s *Server) validateAutoGroups(v any) string {
	for _, id := range anyList(v) {
		_, g := s.col["groups"].find(str(id))
		switch {
		case g == nil:
			return "invalid auto groups: group not found: " + str(id)
		case g["name"] == "All":
			return "invalid auto groups: can't add 'all' group to the setup key"
		}
	}
	return ""
}
