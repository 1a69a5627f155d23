package fake

// step is one request of the contract. Strings "{name}" in the path and
// body are the ids the setup found ({peer}, {account}, {all}) or that an
// earlier step saved.
type step struct {
	name         string
	token        string // admin (default), auditor, owner
	method, path string
	body         any    // sent as JSON
	raw          string // sent as written, instead of body
	save         string // keep the answer's id under this name
}

type o = map[string]any

var none = []string{}

func routeBody(extra o) o {
	r := o{"network_id": "ct-net", "description": "", "enabled": true, "metric": 9999, "masquerade": false,
		"keep_route": false, "groups": []string{"{ga}"}}
	for k, v := range extra {
		r[k] = v
	}
	return r
}

func rule(extra o) o {
	r := o{"name": "r", "enabled": true, "action": "accept", "bidirectional": true, "protocol": "tcp",
		"sources": []string{"{ga}"}, "destinations": []string{"{gb}"}}
	for k, v := range extra {
		r[k] = v
	}
	return r
}

func policy(name string, rules ...o) o {
	return o{"name": name, "description": "", "enabled": true, "rules": rules}
}

func ns(name string, extra o) o {
	n := o{"name": name, "description": "", "enabled": true, "primary": true, "domains": none,
		"search_domains_enabled": false, "groups": []string{"{ga}"},
		"nameservers": []o{{"ip": "9.9.9.9", "ns_type": "udp", "port": 53}}}
	for k, v := range extra {
		n[k] = v
	}
	return n
}

func key(extra o) o {
	k := o{"name": "ct-key", "type": "reusable", "expires_in": 86400, "auto_groups": none, "usage_limit": 0}
	for k2, v := range extra {
		k[k2] = v
	}
	return k
}

var contractTable = []step{
	// Groups.
	{name: "group create", method: "POST", path: "/api/groups", body: o{"name": "ct-a", "peers": none}, save: "ga"},
	{name: "group create with a peer", method: "POST", path: "/api/groups", body: o{"name": "ct-b", "peers": []string{"{peer}"}}, save: "gb"},
	{name: "group create without name", method: "POST", path: "/api/groups", body: o{"name": ""}},
	{name: "group create, name taken", method: "POST", path: "/api/groups", body: o{"name": "ct-a"}},
	{name: "group create, name taken in other case", method: "POST", path: "/api/groups", body: o{"name": "CT-A"}},
	{name: "group create, unknown peer", method: "POST", path: "/api/groups", body: o{"name": "ct-x", "peers": []string{"nopeerxxxxxxxxxxxxxx"}}},
	{name: "group create, not JSON", method: "POST", path: "/api/groups", raw: "{"},
	{name: "group create by an auditor", token: "auditor", method: "POST", path: "/api/groups", body: o{"name": "ct-y"}},
	{name: "group update", method: "PUT", path: "/api/groups/{ga}", body: o{"name": "ct-a", "peers": []string{"{peer}"}}},
	// The server takes a second group named All; the next step names it back.
	{name: "group update to All", method: "PUT", path: "/api/groups/{ga}", body: o{"name": "All"}},
	{name: "group update back from All", method: "PUT", path: "/api/groups/{ga}", body: o{"name": "ct-a", "peers": []string{"{peer}"}}},
	{name: "group update of All", method: "PUT", path: "/api/groups/{all}", body: o{"name": "All", "peers": none}},
	{name: "group update, unknown id", method: "PUT", path: "/api/groups/nogroupxxxxxxxxxxxxx", body: o{"name": "ct-z"}},
	{name: "group get, unknown id", method: "GET", path: "/api/groups/nogroupxxxxxxxxxxxxx"},
	{name: "group delete of All", method: "DELETE", path: "/api/groups/{all}"},
	{name: "group create to delete", method: "POST", path: "/api/groups", body: o{"name": "ct-del", "peers": none}, save: "gdel"},
	{name: "group delete", method: "DELETE", path: "/api/groups/{gdel}"},
	{name: "group delete again", method: "DELETE", path: "/api/groups/{gdel}"},

	// Posture checks.
	{name: "posture create", method: "POST", path: "/api/posture-checks", body: o{"name": "ct-ver", "description": "",
		"checks": o{"nb_version_check": o{"min_version": "0.30.0"}}}, save: "pc"},
	{name: "posture create without name", method: "POST", path: "/api/posture-checks", body: o{"name": "",
		"checks": o{"nb_version_check": o{"min_version": "0.30.0"}}}},
	{name: "posture create without checks", method: "POST", path: "/api/posture-checks", body: o{"name": "ct-empty", "checks": o{}}},
	{name: "posture create, bad version", method: "POST", path: "/api/posture-checks", body: o{"name": "ct-bad",
		"checks": o{"nb_version_check": o{"min_version": "x.y"}}}},
	{name: "posture update", method: "PUT", path: "/api/posture-checks/{pc}", body: o{"name": "ct-ver", "description": "d",
		"checks": o{"nb_version_check": o{"min_version": "0.31.0"}}}},

	// Policies.
	{name: "policy create, ports", method: "POST", path: "/api/policies", body: policy("ct-web", rule(o{"ports": []string{"80", "443"}})), save: "pol"},
	{name: "policy create, port range", method: "POST", path: "/api/policies", body: policy("ct-range",
		rule(o{"port_ranges": []o{{"start": 8000, "end": 8100}}}))},
	{name: "policy create, posture check", method: "POST", path: "/api/policies", body: o{"name": "ct-posture", "enabled": true,
		"source_posture_checks": []string{"{pc}"}, "rules": []o{rule(o{"protocol": "all"})}}},
	{name: "policy create, disabled", method: "POST", path: "/api/policies", body: o{"name": "ct-off", "enabled": false,
		"rules": []o{rule(o{"protocol": "icmp"})}}},
	{name: "policy create without name", method: "POST", path: "/api/policies", body: policy("", rule(nil))},
	{name: "policy create without rules", method: "POST", path: "/api/policies", body: o{"name": "ct-norules", "enabled": true, "rules": []o{}}},
	{name: "policy create, ports with all", method: "POST", path: "/api/policies", body: policy("ct-allports", rule(o{"protocol": "all", "ports": []string{"22"}}))},
	{name: "policy create, ports with icmp", method: "POST", path: "/api/policies", body: policy("ct-icmpports", rule(o{"protocol": "icmp", "ports": []string{"22"}}))},
	{name: "policy create, unknown source group", method: "POST", path: "/api/policies", body: policy("ct-nogroup", rule(o{"sources": []string{"nogroupxxxxxxxxxxxxx"}}))},
	{name: "policy create, bad port", method: "POST", path: "/api/policies", body: policy("ct-badport", rule(o{"ports": []string{"99999"}}))},
	{name: "policy create, bad protocol", method: "POST", path: "/api/policies", body: policy("ct-badproto", rule(o{"protocol": "sctp"}))},
	{name: "policy create, bad action", method: "POST", path: "/api/policies", body: policy("ct-badaction", rule(o{"action": "allow"}))},
	{name: "policy create, unknown posture check", method: "POST", path: "/api/policies", body: o{"name": "ct-nopc", "enabled": true,
		"source_posture_checks": []string{"nopcxxxxxxxxxxxxxxxx"}, "rules": []o{rule(nil)}}},
	{name: "policy create, no sources", method: "POST", path: "/api/policies", body: policy("ct-nosrc", rule(o{"sources": none}))},
	{name: "policy create, resource destination", method: "POST", path: "/api/policies", body: policy("ct-res",
		rule(o{"destinations": nil, "destinationResource": o{"id": "noresourcexxxxxxxxxx", "type": "host"}}))},
	{name: "policy update", method: "PUT", path: "/api/policies/{pol}", body: policy("ct-web", rule(o{"ports": []string{"443"}}))},
	{name: "policy update, unknown id", method: "PUT", path: "/api/policies/nopolicyxxxxxxxxxxxx", body: policy("ct-web", rule(nil))},
	{name: "policy update by an auditor", token: "auditor", method: "PUT", path: "/api/policies/{pol}", body: policy("ct-web", rule(nil))},
	{name: "policy create, same name", method: "POST", path: "/api/policies", body: policy("ct-web", rule(nil)), save: "pol2"},
	{name: "policy delete", method: "DELETE", path: "/api/policies/{pol2}"},

	// Routes: exactly one of network and domains, of peer and peer_groups.
	{name: "route by network and peer", method: "POST", path: "/api/routes", body: routeBody(o{"network": "10.77.0.0/16", "peer": "{peer}"}), save: "r1"},
	{name: "route by domains and peer groups", method: "POST", path: "/api/routes", body: routeBody(o{"network_id": "ct-dom",
		"domains": []string{"example.com", "*.example.org"}, "peer_groups": []string{"{gb}"}}), save: "r2"},
	{name: "route with network and empty domains", method: "POST", path: "/api/routes", body: routeBody(o{"network": "10.78.0.0/16", "domains": none, "peer": "{peer}"})},
	{name: "route with domains and empty network", method: "POST", path: "/api/routes", body: routeBody(o{"network": "", "domains": []string{"a.example.com"}, "peer": "{peer}"})},
	{name: "route with peer and empty peer groups", method: "POST", path: "/api/routes", body: routeBody(o{"network": "10.78.0.0/16", "peer": "{peer}", "peer_groups": none})},
	{name: "route with peer groups and empty peer", method: "POST", path: "/api/routes", body: routeBody(o{"network": "10.78.0.0/16", "peer": "", "peer_groups": []string{"{gb}"}})},
	{name: "route with neither network nor domains", method: "POST", path: "/api/routes", body: routeBody(o{"peer": "{peer}"})},
	{name: "route with neither peer nor peer groups", method: "POST", path: "/api/routes", body: routeBody(o{"network": "10.78.0.0/16"})},
	{name: "route without network id", method: "POST", path: "/api/routes", body: routeBody(o{"network_id": "", "network": "10.78.0.0/16", "peer": "{peer}"})},
	{name: "route with a long network id", method: "POST", path: "/api/routes", body: routeBody(o{"network_id": "a-network-identifier-longer-than-forty-chars", "network": "10.78.0.0/16", "peer": "{peer}"})},
	{name: "route with metric 0", method: "POST", path: "/api/routes", body: routeBody(o{"metric": 0, "network": "10.78.0.0/16", "peer": "{peer}"})},
	{name: "route with metric 10000", method: "POST", path: "/api/routes", body: routeBody(o{"metric": 10000, "network": "10.78.0.0/16", "peer": "{peer}"})},
	{name: "route with a bad prefix", method: "POST", path: "/api/routes", body: routeBody(o{"network": "10.78.0.0/33", "peer": "{peer}"})},
	{name: "route with a bad domain", method: "POST", path: "/api/routes", body: routeBody(o{"domains": []string{"bad domain"}, "peer": "{peer}"})},
	{name: "route without groups", method: "POST", path: "/api/routes", body: routeBody(o{"network": "10.78.0.0/16", "peer": "{peer}", "groups": none})},
	{name: "route with an unknown group", method: "POST", path: "/api/routes", body: routeBody(o{"network": "10.78.0.0/16", "peer": "{peer}", "groups": []string{"nogroupxxxxxxxxxxxxx"}})},
	{name: "route with an unknown peer", method: "POST", path: "/api/routes", body: routeBody(o{"network": "10.78.0.0/16", "peer": "nopeerxxxxxxxxxxxxxx"})},
	{name: "route with an unknown peer group", method: "POST", path: "/api/routes", body: routeBody(o{"network": "10.78.0.0/16", "peer_groups": []string{"nogroupxxxxxxxxxxxxx"}})},
	{name: "route with access control groups", method: "POST", path: "/api/routes", body: routeBody(o{"network_id": "ct-acl", "network": "10.79.0.0/16",
		"peer": "{peer}", "access_control_groups": []string{"{gb}"}}), save: "r3"},
	{name: "route, same network and peer again", method: "POST", path: "/api/routes", body: routeBody(o{"network": "10.77.0.0/16", "peer": "{peer}"})},
	{name: "route update", method: "PUT", path: "/api/routes/{r1}", body: routeBody(o{"network": "10.77.0.0/16", "peer": "{peer}", "description": "changed", "metric": 100})},
	{name: "route update with both network and domains", method: "PUT", path: "/api/routes/{r1}", body: routeBody(o{"network": "10.77.0.0/16", "domains": none, "peer": "{peer}"})},
	{name: "route update with both peer and peer groups", method: "PUT", path: "/api/routes/{r1}", body: routeBody(o{"network": "10.77.0.0/16", "peer": "{peer}", "peer_groups": none})},
	{name: "route update, unknown id", method: "PUT", path: "/api/routes/noroutexxxxxxxxxxxxx", body: routeBody(o{"network": "10.77.0.0/16", "peer": "{peer}"})},
	{name: "route update from network to domains", method: "PUT", path: "/api/routes/{r1}", body: routeBody(o{"domains": []string{"example.net"}, "peer": "{peer}"})},
	{name: "route delete", method: "DELETE", path: "/api/routes/{r3}"},
	{name: "route delete, unknown id", method: "DELETE", path: "/api/routes/noroutexxxxxxxxxxxxx"},

	// Nameserver groups.
	{name: "nameservers create, primary", method: "POST", path: "/api/dns/nameservers", body: ns("ct-ns", nil), save: "ns"},
	{name: "nameservers create, match domains", method: "POST", path: "/api/dns/nameservers", body: ns("ct-ns-dom", o{"primary": false,
		"domains": []string{"corp.example"}, "search_domains_enabled": true})},
	{name: "nameservers create, neither primary nor domains", method: "POST", path: "/api/dns/nameservers", body: ns("ct-ns-x", o{"primary": false})},
	{name: "nameservers create, primary with domains", method: "POST", path: "/api/dns/nameservers", body: ns("ct-ns-y", o{"domains": []string{"a.example"}})},
	{name: "nameservers create, primary with search domains", method: "POST", path: "/api/dns/nameservers", body: ns("ct-ns-z", o{"search_domains_enabled": true})},
	{name: "nameservers create, name taken", method: "POST", path: "/api/dns/nameservers", body: ns("ct-ns", nil)},
	{name: "nameservers create without name", method: "POST", path: "/api/dns/nameservers", body: ns("", nil)},
	{name: "nameservers create without nameservers", method: "POST", path: "/api/dns/nameservers", body: ns("ct-ns-0", o{"nameservers": []o{}})},
	{name: "nameservers create with four nameservers", method: "POST", path: "/api/dns/nameservers", body: ns("ct-ns-4", o{"nameservers": []o{
		{"ip": "9.9.9.9", "ns_type": "udp", "port": 53}, {"ip": "1.1.1.1", "ns_type": "udp", "port": 53},
		{"ip": "8.8.8.8", "ns_type": "udp", "port": 53}, {"ip": "8.8.4.4", "ns_type": "udp", "port": 53}}})},
	{name: "nameservers create without groups", method: "POST", path: "/api/dns/nameservers", body: ns("ct-ns-g", o{"groups": none})},
	{name: "nameservers create, bad ip", method: "POST", path: "/api/dns/nameservers", body: ns("ct-ns-ip", o{"nameservers": []o{{"ip": "nine", "ns_type": "udp", "port": 53}}})},
	{name: "nameservers update", method: "PUT", path: "/api/dns/nameservers/{ns}", body: ns("ct-ns", o{"description": "changed"})},
	{name: "nameservers update, unknown id", method: "PUT", path: "/api/dns/nameservers/nonsxxxxxxxxxxxxxxxx", body: ns("ct-ns", nil)},

	// DNS settings and account settings.
	{name: "dns settings update", method: "PUT", path: "/api/dns/settings", body: o{"disabled_management_groups": []string{"{ga}"}}},
	{name: "dns settings update, unknown group", method: "PUT", path: "/api/dns/settings", body: o{"disabled_management_groups": []string{"nogroupxxxxxxxxxxxxx"}}},
	{name: "account settings update", method: "PUT", path: "/api/accounts/{account}", body: o{"settings": o{"peer_login_expiration_enabled": true,
		"peer_login_expiration": 86400, "regular_users_view_blocked": true, "groups_propagation_enabled": true,
		"peer_inactivity_expiration_enabled": false, "peer_inactivity_expiration": 600, "routing_peer_dns_resolution_enabled": true}}},
	{name: "account settings, login expiration too short", method: "PUT", path: "/api/accounts/{account}", body: o{"settings": o{"peer_login_expiration_enabled": true, "peer_login_expiration": 60}}},
	{name: "account settings, login expiration too long", method: "PUT", path: "/api/accounts/{account}", body: o{"settings": o{"peer_login_expiration_enabled": true, "peer_login_expiration": 999999999}}},
	{name: "account settings without settings", method: "PUT", path: "/api/accounts/{account}", body: o{}},
	{name: "account settings, unknown account", method: "PUT", path: "/api/accounts/noaccountxxxxxxxxxxx", body: o{"settings": o{"peer_login_expiration": 86400}}},
	{name: "account settings by an auditor", token: "auditor", method: "PUT", path: "/api/accounts/{account}", body: o{"settings": o{"peer_login_expiration": 86400}}},

	// Setup keys.
	{name: "setup key create, reusable", method: "POST", path: "/api/setup-keys", body: key(o{"auto_groups": []string{"{ga}"}}), save: "sk"},
	{name: "setup key create, one-off ephemeral", method: "POST", path: "/api/setup-keys", body: key(o{"name": "ct-once", "type": "one-off", "ephemeral": true})},
	{name: "setup key create, usage limit", method: "POST", path: "/api/setup-keys", body: key(o{"name": "ct-limit", "usage_limit": 5, "allow_extra_dns_labels": true})},
	{name: "setup key create, never expires", method: "POST", path: "/api/setup-keys", body: key(o{"name": "ct-never", "expires_in": 0})},
	{name: "setup key create without name", method: "POST", path: "/api/setup-keys", body: key(o{"name": ""})},
	{name: "setup key create, unknown type", method: "POST", path: "/api/setup-keys", body: key(o{"type": "forever"})},
	{name: "setup key create, expiry in the past", method: "POST", path: "/api/setup-keys", body: key(o{"expires_in": -5})},
	{name: "setup key create, expiry too short", method: "POST", path: "/api/setup-keys", body: key(o{"expires_in": 60})},
	{name: "setup key create, unknown group", method: "POST", path: "/api/setup-keys", body: key(o{"auto_groups": []string{"nogroupxxxxxxxxxxxxx"}})},
	{name: "setup key update groups", method: "PUT", path: "/api/setup-keys/{sk}", body: o{"auto_groups": []string{"{gb}"}, "revoked": false}},
	{name: "setup key update, unknown group", method: "PUT", path: "/api/setup-keys/{sk}", body: o{"auto_groups": []string{"nogroupxxxxxxxxxxxxx"}, "revoked": false}},
	{name: "setup key revoke", method: "PUT", path: "/api/setup-keys/{sk}", body: o{"auto_groups": []string{"{gb}"}, "revoked": true}},
	{name: "setup key un-revoke", method: "PUT", path: "/api/setup-keys/{sk}", body: o{"auto_groups": []string{"{gb}"}, "revoked": false}},
	{name: "setup key update, unknown id", method: "PUT", path: "/api/setup-keys/nokeyxxxxxxxxxxxxxxx", body: o{"auto_groups": none, "revoked": false}},
	{name: "setup key delete", method: "DELETE", path: "/api/setup-keys/{sk}"},

	// Peers (the peer was enrolled with a setup key).
	{name: "peer update", method: "PUT", path: "/api/peers/{peer}", body: o{"name": "ct-peer", "ssh_enabled": true, "login_expiration_enabled": false, "inactivity_expiration_enabled": false}},
	{name: "peer update, login expiration on", method: "PUT", path: "/api/peers/{peer}", body: o{"name": "ct-peer", "ssh_enabled": false, "login_expiration_enabled": true, "inactivity_expiration_enabled": false}},
	{name: "peer update, inactivity expiration on", method: "PUT", path: "/api/peers/{peer}", body: o{"name": "ct-peer", "ssh_enabled": false, "login_expiration_enabled": false, "inactivity_expiration_enabled": true}},
	{name: "peer update without name", method: "PUT", path: "/api/peers/{peer}", body: o{"name": "", "ssh_enabled": false, "login_expiration_enabled": false, "inactivity_expiration_enabled": false}},
	{name: "peer update, unknown id", method: "PUT", path: "/api/peers/nopeerxxxxxxxxxxxxxx", body: o{"name": "x", "ssh_enabled": false, "login_expiration_enabled": false, "inactivity_expiration_enabled": false}},
	{name: "peer update by an auditor", token: "auditor", method: "PUT", path: "/api/peers/{peer}", body: o{"name": "x", "ssh_enabled": false, "login_expiration_enabled": false, "inactivity_expiration_enabled": false}},
	{name: "peer create", method: "POST", path: "/api/peers", body: o{"name": "x"}},
	{name: "peer get, unknown id", method: "GET", path: "/api/peers/nopeerxxxxxxxxxxxxxx"},

	// Users.
	{name: "service user create", method: "POST", path: "/api/users", body: o{"name": "ct-svc", "role": "user", "is_service_user": true, "auto_groups": none}, save: "su"},
	{name: "service user create, unknown role", method: "POST", path: "/api/users", body: o{"name": "ct-svc2", "role": "superuser", "is_service_user": true, "auto_groups": none}},
	{name: "service user create as owner", method: "POST", path: "/api/users", body: o{"name": "ct-svc3", "role": "owner", "is_service_user": true, "auto_groups": none}},
	{name: "service user create, unknown group", method: "POST", path: "/api/users", body: o{"name": "ct-svc4", "role": "user", "is_service_user": true, "auto_groups": []string{"nogroupxxxxxxxxxxxxx"}}},
	{name: "user create without email", method: "POST", path: "/api/users", body: o{"name": "ct-human", "role": "user", "is_service_user": false, "auto_groups": none}},
	{name: "user update role", method: "PUT", path: "/api/users/{su}", body: o{"role": "auditor", "auto_groups": none, "is_blocked": false}},
	{name: "user update, unknown role", method: "PUT", path: "/api/users/{su}", body: o{"role": "superuser", "auto_groups": none, "is_blocked": false}},
	{name: "user block", method: "PUT", path: "/api/users/{su}", body: o{"role": "auditor", "auto_groups": none, "is_blocked": true}},
	{name: "user update, unknown id", method: "PUT", path: "/api/users/nouserxxxxxxxxxxxxxx", body: o{"role": "user", "auto_groups": none, "is_blocked": false}},
	{name: "user token create", method: "POST", path: "/api/users/{su}/tokens", body: o{"name": "ct-tok", "expires_in": 30}},
	{name: "user token create, too long", method: "POST", path: "/api/users/{su}/tokens", body: o{"name": "ct-tok", "expires_in": 400}},
	{name: "user token create without name", method: "POST", path: "/api/users/{su}/tokens", body: o{"name": "", "expires_in": 30}},
	{name: "current user for a service user", method: "GET", path: "/api/users/current"},
	{name: "current user for the owner", token: "owner", method: "GET", path: "/api/users/current"},
	{name: "user delete", method: "DELETE", path: "/api/users/{su}"},

	// Networks, resources, routers.
	{name: "network create", method: "POST", path: "/api/networks", body: o{"name": "ct-lab", "description": "lab"}, save: "net"},
	{name: "network create without name", method: "POST", path: "/api/networks", body: o{"name": ""}},
	{name: "network resource create, host", method: "POST", path: "/api/networks/{net}/resources", body: o{"name": "ct-db", "address": "10.0.0.7",
		"enabled": true, "groups": []string{"{ga}"}}, save: "res"},
	{name: "network resource create, domain", method: "POST", path: "/api/networks/{net}/resources", body: o{"name": "ct-wiki", "address": "wiki.example.com",
		"enabled": true, "groups": []string{"{ga}"}}},
	{name: "network resource create, subnet", method: "POST", path: "/api/networks/{net}/resources", body: o{"name": "ct-sub", "address": "10.1.0.0/24",
		"enabled": true, "groups": []string{"{ga}"}}},
	{name: "network resource create, bad address", method: "POST", path: "/api/networks/{net}/resources", body: o{"name": "ct-bad", "address": "not an address",
		"enabled": true, "groups": []string{"{ga}"}}},
	{name: "network resource create without groups", method: "POST", path: "/api/networks/{net}/resources", body: o{"name": "ct-nog", "address": "10.0.0.8",
		"enabled": true, "groups": none}},
	{name: "network resource create, name taken", method: "POST", path: "/api/networks/{net}/resources", body: o{"name": "ct-db", "address": "10.0.0.9",
		"enabled": true, "groups": []string{"{ga}"}}},
	{name: "network resource create, unknown network", method: "POST", path: "/api/networks/nonetxxxxxxxxxxxxxxx/resources", body: o{"name": "ct-x", "address": "10.0.0.9",
		"enabled": true, "groups": []string{"{ga}"}}},
	{name: "policy create, resource destination that exists", method: "POST", path: "/api/policies", body: policy("ct-res-ok",
		rule(o{"destinations": nil, "destinationResource": o{"id": "{res}", "type": "host"}}))},
	{name: "network router create, peer", method: "POST", path: "/api/networks/{net}/routers", body: o{"peer": "{peer}", "metric": 9999, "masquerade": true, "enabled": true}, save: "rt"},
	{name: "network router create, peer groups", method: "POST", path: "/api/networks/{net}/routers", body: o{"peer_groups": []string{"{gb}"}, "metric": 100, "masquerade": false, "enabled": true}},
	{name: "network router create, both", method: "POST", path: "/api/networks/{net}/routers", body: o{"peer": "{peer}", "peer_groups": []string{"{gb}"}, "metric": 9999, "masquerade": true, "enabled": true}},
	{name: "network router create, neither", method: "POST", path: "/api/networks/{net}/routers", body: o{"metric": 9999, "masquerade": true, "enabled": true}},
	{name: "network router create, unknown peer", method: "POST", path: "/api/networks/{net}/routers", body: o{"peer": "nopeerxxxxxxxxxxxxxx", "metric": 9999, "masquerade": true, "enabled": true}},
	{name: "network router update", method: "PUT", path: "/api/networks/{net}/routers/{rt}", body: o{"peer": "{peer}", "metric": 50, "masquerade": false, "enabled": true}},
	{name: "network update", method: "PUT", path: "/api/networks/{net}", body: o{"name": "ct-lab", "description": "changed"}},
	{name: "network get, unknown id", method: "GET", path: "/api/networks/nonetxxxxxxxxxxxxxxx"},
	{name: "network delete", method: "DELETE", path: "/api/networks/{net}"},
	{name: "network resources of a deleted network", method: "GET", path: "/api/networks/{net}/resources"},

	// Deletes the mirror's prune makes, of objects still in use.
	{name: "group delete, linked to a route", method: "DELETE", path: "/api/groups/{ga}"},
	{name: "group create, linked to a nameserver group only", method: "POST", path: "/api/groups", body: o{"name": "ct-nsonly", "peers": none}, save: "gns"},
	{name: "nameservers create for the linked group", method: "POST", path: "/api/dns/nameservers", body: ns("ct-ns-link", o{"groups": []string{"{gns}"}})},
	{name: "group delete, linked to a nameserver group", method: "DELETE", path: "/api/groups/{gns}"},
	{name: "group create, linked to a setup key only", method: "POST", path: "/api/groups", body: o{"name": "ct-keyonly", "peers": none}, save: "gkey"},
	{name: "setup key create for the linked group", method: "POST", path: "/api/setup-keys", body: key(o{"name": "ct-link", "auto_groups": []string{"{gkey}"}})},
	{name: "group delete, linked to a setup key", method: "DELETE", path: "/api/groups/{gkey}"},
	{name: "posture check delete, used by a policy", method: "DELETE", path: "/api/posture-checks/{pc}"},
	{name: "posture check delete, unknown id", method: "DELETE", path: "/api/posture-checks/nopcxxxxxxxxxxxxxxxx"},
	{name: "policy delete, unknown id", method: "DELETE", path: "/api/policies/nopolicyxxxxxxxxxxxx"},
	{name: "nameservers delete", method: "DELETE", path: "/api/dns/nameservers/{ns}"},
	{name: "nameservers delete, unknown id", method: "DELETE", path: "/api/dns/nameservers/nonsxxxxxxxxxxxxxxxx"},

	// Reads the forwarder and the chores make, by role.
	{name: "audit events by an auditor", token: "auditor", method: "GET", path: "/api/events/audit"},
	{name: "traffic events", method: "GET", path: "/api/events/network-traffic"},
	{name: "proxy events", method: "GET", path: "/api/events/proxy"},
	{name: "invites (the watch's expiry radar)", method: "GET", path: "/api/users/invites"},
	{name: "invites by an auditor", token: "auditor", method: "GET", path: "/api/users/invites"},
	{name: "proxy tokens (the watch's expiry radar)", method: "GET", path: "/api/reverse-proxies/proxy-tokens"},
	{name: "proxy tokens by an auditor", token: "auditor", method: "GET", path: "/api/reverse-proxies/proxy-tokens"},
	{name: "unknown path", method: "GET", path: "/api/nothing-here"},
	{name: "bad token", token: "nobody", method: "GET", path: "/api/peers"},
}
