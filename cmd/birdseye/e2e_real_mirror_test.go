package main

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/realtest"
)

// peerNames are enrolled on both servers: the mirror matches peers by name
// and never enrols one.
var peerNames = []string{"web-1", "db-1", "router-1", "router-2"}

// enrolAll enrols the peers and returns their ids by name.
func enrolAll(t *testing.T, s *realtest.Server) map[string]string {
	t.Helper()
	_, key := s.SetupKey(t, "enrol", realtest.SetupKeyOptions{})
	ids := map[string]string{}
	for _, p := range s.Enrol(t, key, false, peerNames...).List {
		ids[p.Hostname] = p.ID
	}
	return ids
}

// buildSourceAccount gives a real server an account as an operator has
// one: groups with peers, posture checks, policies of each kind, networks
// with resources and routers, routes by network and by domains, nameserver
// groups, DNS settings, setup keys of every kind, a service user and
// changed account settings.
func buildSourceAccount(t *testing.T, s *realtest.Server) {
	t.Helper()
	peer := enrolAll(t, s)
	g := map[string]string{}
	for name, members := range map[string][]string{"Web": {peer["web-1"]}, "DB": {peer["db-1"]},
		"Routers": {peer["router-1"], peer["router-2"]}, "Ops": {}} {
		g[name] = s.Group(t, name, members...)
	}
	pc := realCreate(t, s, "/api/posture-checks", jsonObj{"name": "min-version", "description": "current clients",
		"checks": jsonObj{"nb_version_check": jsonObj{"min_version": "0.30.0"}}})

	office := realCreate(t, s, "/api/networks", jsonObj{"name": "office", "description": "HQ LAN"})
	db := realCreate(t, s, "/api/networks/"+office+"/resources", jsonObj{"name": "db-host", "address": "10.0.0.7", "enabled": true, "groups": []string{g["DB"]}})
	realCreate(t, s, "/api/networks/"+office+"/routers", jsonObj{"peer": peer["router-1"], "metric": 9999, "masquerade": true, "enabled": true})
	cloud := realCreate(t, s, "/api/networks", jsonObj{"name": "cloud", "description": ""})
	realCreate(t, s, "/api/networks/"+cloud+"/resources", jsonObj{"name": "vpc", "address": "10.1.0.0/24", "enabled": true, "groups": []string{g["Web"]}})
	realCreate(t, s, "/api/networks/"+cloud+"/resources", jsonObj{"name": "wiki", "address": "wiki.example.com", "enabled": false, "groups": []string{g["Ops"]}})
	realCreate(t, s, "/api/networks/"+cloud+"/routers", jsonObj{"peer_groups": []string{g["Routers"]}, "metric": 100, "masquerade": false, "enabled": true})

	rule := func(extra jsonObj) jsonObj {
		r := jsonObj{"name": "r", "enabled": true, "action": "accept", "bidirectional": false, "protocol": "tcp",
			"sources": []string{g["Ops"]}, "destinations": []string{g["Web"]}}
		for k, v := range extra {
			r[k] = v
		}
		return r
	}
	for _, p := range []jsonObj{
		{"name": "web-to-db", "enabled": true, "rules": []jsonObj{rule(jsonObj{"sources": []string{g["Web"]}, "destinations": []string{g["DB"]}, "ports": []string{"5432"}})}},
		{"name": "ops-range", "enabled": true, "source_posture_checks": []string{pc}, "rules": []jsonObj{rule(jsonObj{"protocol": "udp",
			"port_ranges": []jsonObj{{"start": 10000, "end": 10100}}})}},
		{"name": "ops-to-db-host", "enabled": true, "rules": []jsonObj{rule(jsonObj{"destinations": nil,
			"destinationResource": jsonObj{"id": db, "type": "host"}})}},
		{"name": "ops-to-db-peer", "enabled": true, "rules": []jsonObj{rule(jsonObj{"destinations": nil,
			"destinationResource": jsonObj{"id": peer["db-1"], "type": "peer"}, "ports": []string{"22"}})}},
		{"name": "ping (off)", "enabled": false, "rules": []jsonObj{rule(jsonObj{"protocol": "icmp", "bidirectional": true})}},
	} {
		realCreate(t, s, "/api/policies", p)
	}

	realCreate(t, s, "/api/routes", jsonObj{"network_id": "lan", "description": "branch LAN", "network": "192.168.50.0/24", "peer": peer["router-1"],
		"groups": []string{g["Web"]}, "enabled": true, "metric": 9999, "masquerade": true, "keep_route": false})
	realCreate(t, s, "/api/routes", jsonObj{"network_id": "saas", "description": "", "domains": []string{"example.com", "*.example.org"},
		"peer_groups": []string{g["Routers"]}, "groups": []string{g["Ops"]}, "access_control_groups": []string{g["Ops"]},
		"enabled": true, "metric": 100, "masquerade": true, "keep_route": true})

	ns := func(name string, primary bool, domains []string, group string) {
		realCreate(t, s, "/api/dns/nameservers", jsonObj{"name": name, "description": "", "enabled": true, "primary": primary,
			"domains": domains, "search_domains_enabled": !primary, "groups": []string{group},
			"nameservers": []jsonObj{{"ip": "10.0.0.53", "ns_type": "udp", "port": 53}}})
	}
	ns("corp-dns", false, []string{"corp.example"}, g["Web"])
	ns("public", true, []string{}, g["DB"])
	s.MustDo(t, s.OwnerToken, "PUT", "/api/dns/settings", jsonObj{"disabled_management_groups": []string{g["Ops"]}}, nil)

	for _, k := range []realtest.SetupKeyOptions{
		{AutoGroups: []string{g["Web"]}}, {OneOff: true}, {Ephemeral: true, UsageLimit: 10, AutoGroups: []string{g["Ops"]}},
	} {
		name := map[bool]string{true: "one-off", false: "web-servers"}[k.OneOff]
		if k.Ephemeral {
			name = "ci-runners"
		}
		s.SetupKey(t, name, k)
	}
	s.ServiceUser(t, "ci-bot", "user")

	s.MustDo(t, s.OwnerToken, "PUT", "/api/peers/"+peer["web-1"], jsonObj{"name": "web-1", "ssh_enabled": true,
		"login_expiration_enabled": false, "inactivity_expiration_enabled": false}, nil)
	acc := realAccount(t, s)
	settings := acc["settings"].(jsonObj)
	settings["peer_login_expiration"] = 172800
	settings["regular_users_view_blocked"] = false
	settings["groups_propagation_enabled"] = false
	s.MustDo(t, s.OwnerToken, "PUT", "/api/accounts/"+acc["id"].(string), jsonObj{"settings": settings}, nil)
}

// The mirror between two real v0.77.1 servers: a dry run writes nothing,
// an apply makes the target match (every route body accepted), a re-plan is
// empty, a second apply writes nothing (the target's audit log does not
// grow), drift on the target is put back, prune deletes what the source
// lacks and leaves protected groups alone.
func TestE2ERealMirrorKeepsARealServerInStep(t *testing.T) {
	src, dst := startReal(t), startReal(t)
	buildSourceAccount(t, src)
	enrolAll(t, dst)
	dst.Group(t, "Old team")
	dst.Group(t, "Keep me")
	_, srcReader := src.ServiceUser(t, "mirror-reader", "auditor")
	_, dstAdmin := dst.ServiceUser(t, "mirror-writer", "admin")
	env := toolEnv(src.URL, "NB_API_KEY="+srcReader, "MIRROR_URL="+dst.URL, "MIRROR_API_KEY="+dstAdmin,
		"MIRROR_SNAPSHOT_DIR="+t.TempDir(), "MIRROR_PROTECTED_GROUPS=All,Keep me")
	mirror := func(args ...string) (int, string) {
		d := start(t, env, append([]string{"mirror", "--create-users"}, args...)...)
		code := d.waitExit()
		return code, strings.Join(d.stdout(), "\n") + "\n" + d.logs()
	}

	dstRange := realAccount(t, dst)["settings"].(jsonObj)["network_range"]
	srcRange := moveRangeFrom(t, src, dstRange)
	require.NotEqual(t, srcRange, dstRange, "the source's range differs from the target's")
	before := settledAuditCount(t, dst)
	code, out := mirror()
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "Re-run with --apply to execute.")
	require.Contains(t, out, `disabled_management_groups: [] → ["Ops (new)"]`, "names, not the target's ids")
	require.Equal(t, before+1, settledAuditCount(t, dst), "a dry run writes nothing (the one more is the next marker)")

	code, out = mirror("--apply")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "target matches the source for every selected section", out)
	require.NotContains(t, out, "ABORTED")
	require.Contains(t, out, `disabled_management_groups: [] → ["Ops"]`, "names, not the target's ids")

	// What the target holds now, compared by name with the source.
	for _, path := range []string{"/api/routes", "/api/dns/nameservers", "/api/policies", "/api/posture-checks", "/api/networks"} {
		key := "name"
		if path == "/api/routes" {
			key = "network_id"
		}
		require.ElementsMatch(t, keysOf(realByName(t, src, path, key)), keysOf(realByName(t, dst, path, key)), path)
	}
	srcRoutes, dstRoutes := realByName(t, src, "/api/routes", "network_id"), realByName(t, dst, "/api/routes", "network_id")
	for id, r := range srcRoutes {
		for _, k := range []string{"network", "domains", "network_type", "metric", "masquerade", "keep_route", "enabled", "description"} {
			require.Equal(t, canonical(r[k]), canonical(dstRoutes[id][k]), "route %s: %s", id, k)
		}
	}
	groups := realByName(t, dst, "/api/groups")
	require.NotContains(t, groups, "Old team", "pruned")
	require.Contains(t, groups, "Keep me", "protected")
	require.Contains(t, realByName(t, dst, "/api/setup-keys"), "ci-runners")
	dstUsers := realByName(t, dst, "/api/users?service_user=true")
	require.Contains(t, dstUsers, "ci-bot")
	require.EqualValues(t, 172800, realAccount(t, dst)["settings"].(jsonObj)["peer_login_expiration"])
	require.Equal(t, dstRange, realAccount(t, dst)["settings"].(jsonObj)["network_range"], "the target's peers keep their addresses")

	code, out = mirror()
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "planned: 0 created, 0 updated, 0 deleted", "the re-plan is empty")

	before = settledAuditCount(t, dst)
	code, out = mirror("--apply")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "applied: 0 created, 0 updated, 0 deleted")
	require.Equal(t, before+1, settledAuditCount(t, dst), "a second apply writes nothing (the one more is the next marker)")

	// Drift on the target: a policy switched off, a route changed.
	pol := realByName(t, dst, "/api/policies")["web-to-db"]
	pol["enabled"] = false
	pol["rules"] = policyWriteRules(pol["rules"])
	dst.MustDo(t, dst.OwnerToken, "PUT", "/api/policies/"+pol["id"].(string), pol, nil)
	lan := realByName(t, dst, "/api/routes", "network_id")["lan"]
	dst.MustDo(t, dst.OwnerToken, "PUT", "/api/routes/"+lan["id"].(string), jsonObj{"network_id": "lan", "description": "changed by hand",
		"network": lan["network"], "peer": lan["peer"], "groups": lan["groups"], "enabled": true, "metric": 10, "masquerade": true, "keep_route": false}, nil)
	code, out = mirror("--apply")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "target matches the source for every selected section")
	require.Equal(t, true, realByName(t, dst, "/api/policies")["web-to-db"]["enabled"])
	require.Equal(t, "branch LAN", realByName(t, dst, "/api/routes", "network_id")["lan"]["description"])

	// The address ranges only when named.
	code, out = mirror("--apply", "--only", "addresses")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "network_range: ")
	require.Equal(t, srcRange, realAccount(t, dst)["settings"].(jsonObj)["network_range"])
}

// moveRangeFrom gives the source a network range other than taken. Each
// server picks its /16 at random from 100.64.0.0/10, so two servers share one
// now and then (1 in 64); the test needs them apart to see that the mirror
// leaves the target's addresses alone unless asked. The range is always set,
// so the path is the same in every run.
func moveRangeFrom(t *testing.T, s *realtest.Server, taken any) any {
	t.Helper()
	acc := realAccount(t, s)
	settings := acc["settings"].(jsonObj)
	settings["network_range"] = map[bool]string{true: "100.65.0.0/16", false: "100.64.0.0/16"}[taken == "100.64.0.0/16"]
	s.MustDo(t, s.OwnerToken, "PUT", "/api/accounts/"+acc["id"].(string), jsonObj{"settings": settings}, nil)
	return realAccount(t, s)["settings"].(jsonObj)["network_range"]
}

// policyWriteRules turns read-form rules (group objects) into the write form.
func policyWriteRules(v any) []jsonObj {
	var out []jsonObj
	for _, r := range v.([]any) {
		rule := r.(jsonObj)
		for _, side := range []string{"sources", "destinations"} {
			if l, ok := rule[side].([]any); ok {
				ids := []string{}
				for _, g := range l {
					ids = append(ids, g.(jsonObj)["id"].(string))
				}
				rule[side] = ids
			}
		}
		out = append(out, rule)
	}
	return out
}

func keysOf(m map[string]jsonObj) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A change the target would refuse is not sent: a peer enrolled by a
// user's login on the source has login expiration on; the target's peer of
// that name was enrolled with a setup key, for which NetBird refuses the
// change (412). The plan says it stays, the rest of the peer is mirrored,
// the run passes and a re-plan is empty.
func TestE2ERealMirrorLeavesAsItIsWhatTheTargetWouldRefuse(t *testing.T) {
	src, dst := startReal(t), startReal(t)
	enrolAll(t, src)
	enrolAll(t, dst)
	editStore(t, src, `UPDATE peers SET login_expiration_enabled = 1, ssh_enabled = 1, user_id = ? WHERE name = 'web-1'`, src.OwnerID)
	_, reader := src.ServiceUser(t, "mirror-reader", "auditor")
	_, writer := dst.ServiceUser(t, "mirror-writer", "admin")
	env := toolEnv(src.URL, "NB_API_KEY="+reader, "MIRROR_URL="+dst.URL, "MIRROR_API_KEY="+writer, "MIRROR_SNAPSHOT_DIR=", "MIRROR_SECTIONS=peers")

	code, out := runTool(t, env, "mirror", "--apply")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "  ! peers          web-1 — login_expiration_enabled stays false: the target's peer was enrolled with a setup key")
	require.Contains(t, out, "  ~ peers          web-1 (ssh_enabled)")
	require.NotContains(t, out, "refused")
	require.Equal(t, true, realByName(t, dst, "/api/peers")["web-1"]["ssh_enabled"])
	code, out = runTool(t, env, "mirror")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "planned: 0 created, 0 updated, 0 deleted")
}

// A target that cannot be read, or a check after an apply that fails, says
// why on stderr (it printed a header and exit 1, nothing else).
func TestE2ERealMirrorSaysWhyItFailed(t *testing.T) {
	src, dst := startReal(t), startReal(t)
	_, reader := src.ServiceUser(t, "mirror-reader", "auditor")
	_, auditor := dst.ServiceUser(t, "target-auditor", "auditor")
	env := toolEnv(src.URL, "NB_API_KEY="+reader, "MIRROR_URL="+dst.URL, "MIRROR_SNAPSHOT_DIR=")

	d := start(t, append(env, "MIRROR_API_KEY=nbp_NotATokenOfThisServer000000000000000"), "mirror")
	require.Equal(t, 1, d.waitExit())
	require.Contains(t, d.logs(), "birdseye: could not read both sides: ")
	require.Contains(t, d.logs(), "HTTP 401")

	// A token that may read the target but not write it: every write is
	// refused, and the run says so at the end.
	src.Group(t, "Ops")
	d = start(t, append(env, "MIRROR_API_KEY="+auditor), "mirror", "--apply", "--only", "groups")
	require.Equal(t, 1, d.waitExit())
	out := strings.Join(d.stdout(), "\n")
	require.Contains(t, out, "  E groups         Ops — create refused: POST /api/groups: HTTP 403: permission denied")
	require.Contains(t, d.logs(), "birdseye: the target does not match the source: 1 difference(s), 0 unresolved, 1 failed write(s)")
}

// The source is refused as the target under any name a client reaches it
// by; a MIRROR_URL that is not a URL is a configuration error; doctor warns
// about a target token that may not write.
func TestE2ERealMirrorRefusesTheSourceAndDoctorChecksTheTargetToken(t *testing.T) {
	src, dst := startReal(t), startReal(t)
	_, reader := src.ServiceUser(t, "mirror-reader", "auditor")
	_, srcAdmin := src.ServiceUser(t, "source-admin", "admin")
	port := strconv.Itoa(src.Port)
	for _, target := range []string{"http://0.0.0.0:" + port, "http://[::ffff:127.0.0.1]:" + port, "127.0.0.1:" + port, "http://[::1]:" + port} {
		code, out := runTool(t, toolEnv(src.URL, "NB_API_KEY="+reader, "MIRROR_URL="+target, "MIRROR_API_KEY="+srcAdmin), "mirror", "--apply")
		require.Equal(t, 2, code, "%s: %s", target, out)
		require.Contains(t, out, "REFUSING: source and target are the same host", target)
	}
	code, out := runTool(t, toolEnv(src.URL, "NB_API_KEY="+reader, "MIRROR_URL=ftp://standby", "MIRROR_API_KEY="+srcAdmin), "mirror")
	require.Equal(t, 2, code, out)
	require.Contains(t, out, `config: MIRROR_URL="ftp://standby" has scheme "ftp", not http or https; expected the management URL`)

	_, dstAuditor := dst.ServiceUser(t, "target-auditor", "auditor")
	_, dstAdmin := dst.ServiceUser(t, "target-admin", "admin")
	doctor := func(token string) (int, string) {
		return runTool(t, toolEnv(src.URL, "NB_API_KEY="+reader, "NB_ADMIN_API_KEY="+srcAdmin, "MIRROR_URL="+dst.URL, "MIRROR_API_KEY="+token,
			"STATE_FILE="+filepath.Join(t.TempDir(), "state.json")), "doctor")
	}
	code, out = doctor(dstAuditor)
	require.Equal(t, 1, code, out)
	require.Contains(t, out, `WARN  MIRROR_API_KEY`)
	require.Contains(t, out, `its user target-auditor has the role "auditor": every write (--apply, MIRROR_APPLY=true) will be refused`)
	code, out = doctor(dstAdmin)
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "ok    MIRROR_URL")
}

// A setup key is compared by every field that can be set: one whose type,
// usage limit or expiry differs on the target cannot be changed in place,
// so the plan says it is replaced, and an apply does (a new secret); a key
// that expires in an hour on the source expires then on the target too.
func TestE2ERealMirrorReplacesASetupKeyThatCannotChangeInPlace(t *testing.T) {
	src, dst := startReal(t), startReal(t)
	src.MustDo(t, src.OwnerToken, "POST", "/api/setup-keys", jsonObj{"name": "deploy", "type": "reusable", "expires_in": 3600,
		"auto_groups": []string{}, "usage_limit": 5, "ephemeral": true}, nil)
	dst.MustDo(t, dst.OwnerToken, "POST", "/api/setup-keys", jsonObj{"name": "deploy", "type": "one-off", "expires_in": 0,
		"auto_groups": []string{}, "usage_limit": 0}, nil)
	_, reader := src.ServiceUser(t, "mirror-reader", "auditor")
	_, writer := dst.ServiceUser(t, "mirror-writer", "admin")
	env := toolEnv(src.URL, "NB_API_KEY="+reader, "MIRROR_URL="+dst.URL, "MIRROR_API_KEY="+writer, "MIRROR_SNAPSHOT_DIR=", "MIRROR_SECTIONS=setup-keys")

	code, out := runTool(t, env, "mirror")
	require.Equal(t, 0, code, out)
	require.Regexp(t, `~ setup-keys +deploy — replaced \(type "one-off" → "reusable", ephemeral false → true, usage_limit 1 → 5, expires never → [^)]+\): NetBird cannot change this in place`, out)
	code, out = runTool(t, env, "mirror", "--apply")
	require.Equal(t, 0, code, out)
	k := realByName(t, dst, "/api/setup-keys")["deploy"]
	require.Equal(t, "reusable", k["type"])
	require.Equal(t, true, k["ephemeral"])
	require.EqualValues(t, 5, k["usage_limit"])
	require.Equal(t, realByName(t, src, "/api/setup-keys")["deploy"]["expires"].(string)[:15], k["expires"].(string)[:15], "expires within the same minute as the source's")
	code, out = runTool(t, env, "mirror")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "planned: 0 created, 0 updated, 0 deleted")
}

// Names that repeat: two source policies of one name, three on the target,
// and NetBird's high-availability routes (one network id, two routing
// peers). They are matched in the order each server lists them, the
// target's extra one is deleted (kept and reported with pruning off), the
// plan says the names are not unique, and a second run has nothing to do.
func TestE2ERealMirrorMatchesRepeatedNamesInOrder(t *testing.T) {
	src, dst := startReal(t), startReal(t)
	srcPeers, _ := enrolAll(t, src), enrolAll(t, dst)
	policy := func(s *realtest.Server, name, port string) {
		g := realByName(t, s, "/api/groups")["All"]["id"]
		realCreate(t, s, "/api/policies", jsonObj{"name": name, "enabled": true, "rules": []jsonObj{{"name": "r", "enabled": true, "action": "accept",
			"bidirectional": true, "protocol": "tcp", "ports": []string{port}, "sources": []any{g}, "destinations": []any{g}}}})
	}
	policy(src, "web", "80")
	policy(src, "web", "443")
	for _, port := range []string{"22", "8080", "9090"} {
		policy(dst, "web", port)
	}
	all := realByName(t, src, "/api/groups")["All"]["id"]
	for i, peer := range []string{"router-1", "router-2"} {
		realCreate(t, src, "/api/routes", jsonObj{"network_id": "lan", "description": "", "network": "10.9.0.0/24", "peer": srcPeers[peer],
			"groups": []any{all}, "enabled": true, "metric": 100 + i, "masquerade": true, "keep_route": false})
	}
	_, reader := src.ServiceUser(t, "mirror-reader", "auditor")
	_, writer := dst.ServiceUser(t, "mirror-writer", "admin")
	env := toolEnv(src.URL, "NB_API_KEY="+reader, "MIRROR_URL="+dst.URL, "MIRROR_API_KEY="+writer, "MIRROR_SNAPSHOT_DIR=", "MIRROR_SECTIONS=policies,routes")

	code, out := runTool(t, append(env, "MIRROR_PRUNE=false"), "mirror")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, `note: "web" names 2 policy(s) on the source and 3 on the target`)
	require.Contains(t, out, `! policies       web #3 — on the target only, one more of this name than the source has: kept (pruning is off)`)

	code, out = runTool(t, env, "mirror", "--apply")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, `note: "lan" names 2 route(s) on the source and 0 on the target`)
	require.Contains(t, out, "- policies       web #3")
	ports := func(s *realtest.Server) []string {
		var got []string
		for _, p := range realList(t, s, "/api/policies") {
			if p["name"] == "web" {
				got = append(got, p["rules"].([]any)[0].(jsonObj)["ports"].([]any)[0].(string))
			}
		}
		return got
	}
	require.Equal(t, ports(src), ports(dst), "the n-th of a name has the source's n-th settings")
	var metrics []any
	for _, r := range realList(t, dst, "/api/routes") {
		metrics = append(metrics, r["metric"])
	}
	require.ElementsMatch(t, []any{100.0, 101.0}, metrics, "both routes of the network id, each with its own routing peer")

	before := settledAuditCount(t, dst)
	code, out = runTool(t, env, "mirror", "--apply")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "applied: 0 created, 0 updated, 0 deleted")
	require.Equal(t, before+1, settledAuditCount(t, dst), "a second run writes nothing (the one more is the next marker)")
}
