package fake

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// More of the server's checks, each with the status and message a v0.77.1
// server gives (held to it by the contract test, contract_test.go).

// validatePolicyRequest is the policies handler's checks (savePolicy): a
// name, rules, an action and protocol it knows, ports in range, no ports
// for all and icmp. Unknown group and posture check ids are taken.
func validatePolicyRequest(p object) string {
	if name, _ := p["name"].(string); name == "" {
		return "policy name shouldn't be empty"
	}
	rules, _ := p["rules"].([]any)
	if len(rules) == 0 {
		return "policy rules shouldn't be empty"
	}
	for _, r := range rules {
		rule, _ := r.(object)
		_, hasSrc := rule["sources"].([]any)
		_, hasSrcRes := rule["sourceResource"].(object)
		_, hasDst := rule["destinations"].([]any)
		_, hasDstRes := rule["destinationResource"].(object)
		switch {
		case hasSrc && hasSrcRes:
			return "specify either sources or  source resources, not both"
		case hasDst && hasDstRes:
			return "specify either destinations or  destination resources, not both"
		case !(hasSrc || hasSrcRes) || !(hasDst || hasDstRes):
			return "specify either sources or source resources and destinations or destination resources"
		}
		if a := str(rule["action"]); a != "accept" && a != "drop" {
			return "unknown action type"
		}
		proto := str(rule["protocol"])
		switch proto {
		case "all", "tcp", "udp", "icmp", "netbird-ssh":
		default:
			return "unknown protocol type: " + proto
		}
		ports, ranges := anyList(rule["ports"]), anyList(rule["port_ranges"])
		if len(ports) > 0 && len(ranges) > 0 {
			return "specify either individual ports or port ranges, not both"
		}
		for _, v := range ports {
			if n, err := strconv.Atoi(str(v)); err != nil || n < 1 || n > 65535 {
				return "valid port value is in 1..65535 range"
			}
		}
		for _, v := range ranges {
			pr, _ := v.(object)
			start, _ := pr["start"].(float64)
			end, _ := pr["end"].(float64)
			if start < 1 || end > 65535 {
				return "valid port value is in 1..65535 range"
			}
		}
		if (proto == "all" || proto == "icmp") && (len(ports) > 0 || len(ranges) > 0) {
			return "for all or icmp protocol ports is not allowed"
		}
	}
	return ""
}

// versionRe is close to hashicorp/go-version's pattern, which NetBird's
// posture checks parse minimum versions with.
var versionRe = regexp.MustCompile(`^v?[0-9]+(\.[0-9]+)*(-[0-9A-Za-z\-~.]+)?(\+[0-9A-Za-z\-~.]+)?$`)

// validatePostureCheck is posture/checks.go's Validate for what the fake
// knows: a name, at least one check, a valid NetBird minimum version.
func validatePostureCheck(p object) string {
	if str(p["name"]) == "" {
		return "posture checks name shouldn't be empty"
	}
	checks, _ := p["checks"].(object)
	if len(checks) == 0 {
		return "posture checks shouldn't be empty"
	}
	if nb, ok := checks["nb_version_check"].(object); ok {
		v := str(nb["min_version"])
		if v == "" {
			return "nbversioncheck minimum version shouldn't be empty"
		}
		if !versionRe.MatchString(v) {
			return "nbversioncheck version: " + v + " is not valid"
		}
	}
	return ""
}

// validatePeer is peer.go's UpdatePeer: a peer enrolled with a setup key
// (no user_id) cannot have its login or inactivity expiration changed
// (412); an empty new name fails inside the server (500).
func (s *Server) validatePeer(id string, body object) (int, string) {
	_, p := s.col["peers"].find(id)
	if p == nil {
		return 0, ""
	}
	if name, ok := body["name"].(string); ok && name == "" && p["name"] != "" {
		return http.StatusInternalServerError, "internal server error"
	}
	sso := str(p["user_id"]) != ""
	for _, k := range []struct{ key, what string }{{"login_expiration_enabled", "login"}, {"inactivity_expiration_enabled", "inactivity"}} {
		if v, ok := body[k.key].(bool); ok && v != (p[k.key] == true) && !sso {
			return http.StatusPreconditionFailed, "this peer hasn't been added with the sso login, therefore the " + k.what + " expiration can't be updated"
		}
	}
	return 0, ""
}

// validateAccountSettings is account.go's validateSettingsUpdate for the
// login expiration (the PUT replaces the settings: an absent value is 0).
func validateAccountSettings(body object) string {
	settings, _ := body["settings"].(object)
	exp, _ := settings["peer_login_expiration"].(float64)
	switch {
	case exp > 180*24*3600:
		return "peer login expiration can't be larger than 180 days"
	case exp < 3600:
		return "peer login expiration can't be smaller than one hour"
	}
	return ""
}

// validateDNSSettings: every disabled management group must exist.
func (s *Server) validateDNSSettings(body object) string {
	for _, id := range anyList(body["disabled_management_groups"]) {
		if _, g := s.col["groups"].find(str(id)); g == nil {
			return "group id " + str(id) + " not found"
		}
	}
	return ""
}

// validateNewUser is the users handler's and user.go's checks of a create.
func validateNewUser(body object) string {
	role := str(body["role"])
	service := body["is_service_user"] == true
	switch {
	case !isUserRole(role):
		return "unknown user role " + role
	case service && role == "owner":
		return "can't create a service user with owner role"
	case !service && str(body["email"]) == "":
		return "email can't be empty"
	}
	return ""
}

// validateResource is the network resources' checks: an address that is
// an IP, a prefix or a domain (anything else fails inside the server: 500)
// and a name unique in its network.
func validateResource(col *objects, id string, body object) (int, string) {
	addr := str(body["address"])
	_, ipErr := netip.ParseAddr(addr)
	_, _, cidrErr := net.ParseCIDR(addr)
	if ipErr != nil && cidrErr != nil && !domainRe.MatchString(strings.ToLower(addr)) {
		return http.StatusInternalServerError, "internal server error"
	}
	for _, o := range col.items {
		if o["name"] == body["name"] && o["id"] != id {
			return http.StatusUnprocessableEntity, fmt.Sprintf("failed to create network resource: resource with name %s already exists", str(body["name"]))
		}
	}
	return 0, ""
}

// validateRouter is the routers handler's checks (400, not 422).
func validateRouter(body object) string {
	peer := str(body["peer"])
	groups := anyList(body["peer_groups"])
	switch {
	case peer != "" && len(groups) > 0:
		return "peer and peer_groups cannot be set at the same time"
	case peer == "" && len(groups) == 0:
		return "either peer or peer_groups must be provided"
	}
	return ""
}
