package main

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/realtest"
)

// lintOf runs `birdseye lint -o json` against a real server.
func lintOf(t *testing.T, s *realtest.Server, token string, args ...string) (int, []string, string) {
	t.Helper()
	code, out := runTool(t, []string{"PATH=" + os.Getenv("PATH"), "NB_URL=" + s.URL, "NB_API_KEY=" + token}, append([]string{"lint", "-o", "json"}, args...)...)
	var r struct {
		Findings []struct{ Check, Name string }
		Gaps     []string
	}
	require.NoError(t, json.Unmarshal([]byte(out[:strings.LastIndex(out, "}")+1]), &r), out)
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.Check+" "+f.Name)
	}
	slices.Sort(got)
	return code, got, strings.Join(r.Gaps, "; ")
}

// A real v0.77.1 account planted with what each check looks for (those a
// fresh server can have: a peer gone for months or a token unused for a
// month cannot be made today; the unit tests plant them) is found exactly;
// the same server tidied up has no findings, and lint exits 0.
func TestE2ERealLintFindsExactlyWhatWasPlanted(t *testing.T) {
	s := startReal(t)
	adminID, admin := s.ServiceUser(t, "terraform", "admin")
	_ = adminID
	servers := s.Group(t, "Servers")
	contractors := s.Group(t, "Contractors")
	_, key := s.SetupKey(t, "office", realtest.SetupKeyOptions{UsageLimit: 10})
	s.Enrol(t, key, false, "router-1")
	peers := realByName(t, s, "/api/peers")
	s.MustDo(t, s.OwnerToken, "PUT", "/api/groups/"+servers, jsonObj{"name": "Servers", "peers": []string{peers["router-1"]["id"].(string)}}, nil)
	all := realByName(t, s, "/api/groups")["All"]["id"].(string)
	policy := func(name string, from, to, proto string, ports ...string) {
		r := jsonObj{"name": name, "enabled": true, "action": "accept", "bidirectional": false, "protocol": proto, "sources": []string{from}, "destinations": []string{to}}
		if len(ports) > 0 {
			r["ports"] = ports
		}
		s.MustDo(t, s.OwnerToken, "POST", "/api/policies", jsonObj{"name": name, "description": "", "enabled": true, "rules": []jsonObj{r}}, nil)
	}
	policy("Everyone to servers", all, servers, "tcp")
	policy("SSH for all", all, servers, "tcp", "22")
	policy("Contractors to servers", contractors, servers, "tcp", "443")
	s.MustDo(t, s.OwnerToken, "POST", "/api/routes", jsonObj{"network_id": "office-lan", "description": "", "enabled": true, "metric": 9999,
		"masquerade": true, "keep_route": false, "network": "10.77.0.0/24", "peer_groups": []string{servers}, "groups": []string{all}}, nil)
	s.MustDo(t, s.OwnerToken, "POST", "/api/setup-keys", jsonObj{"name": "golden image", "type": "reusable", "expires_in": 0, "auto_groups": []string{}, "usage_limit": 5}, nil)
	s.MustDo(t, s.OwnerToken, "POST", "/api/setup-keys", jsonObj{"name": "ci", "type": "reusable", "expires_in": 86400, "auto_groups": []string{}, "usage_limit": 0}, nil)
	s.MustDo(t, s.OwnerToken, "POST", "/api/users/"+adminID+"/tokens", jsonObj{"name": "long", "expires_in": 365}, nil)
	s.MustDo(t, s.OwnerToken, "POST", "/api/posture-checks", jsonObj{"name": "Geo DE", "description": "", "checks": jsonObj{"nb_version_check": jsonObj{"min_version": "0.70.0"}}}, nil)
	s.MustDo(t, s.OwnerToken, "POST", "/api/dns/nameservers", jsonObj{"name": "lab DNS", "description": "", "enabled": true, "primary": true, "domains": []string{},
		"search_domains_enabled": false, "groups": []string{contractors}, "nameservers": []jsonObj{{"ip": "9.9.9.9", "ns_type": "udp", "port": 53}}}, nil)
	acc := realAccount(t, s)
	settings := acc["settings"].(jsonObj)
	settings["peer_login_expiration_enabled"] = false
	s.MustDo(t, s.OwnerToken, "PUT", "/api/accounts/"+acc["id"].(string), jsonObj{"settings": settings}, nil)

	code, got, gaps := lintOf(t, s, admin)
	require.Equal(t, []string{
		"group-empty-in-policy Contractors to servers",
		"login-expiration-off settings",
		"nameserver-reaches-no-peer lab DNS",
		"policy-all-ports-from-all Everyone to servers",
		"policy-all-to-all Default",
		"policy-ssh-from-all SSH for all",
		"posture-check-unused Geo DE",
		"route-without-healthy-router office-lan",
		"service-admin-long-token terraform/long",
		"setupkey-reusable-forever golden image",
		"setupkey-reusable-unlimited ci",
	}, got)
	require.Equal(t, 1, code, "findings at or above high")
	require.Equal(t, "the access tokens of 1 of 2 users are not readable with this token (NetBird lets an admin not read the owner's, an auditor no one else's): the token checks see the rest", gaps,
		"an admin may not read the owner's tokens on v0.77.1")
	code, _, _ = lintOf(t, s, admin, "--fail-on", "none")
	require.Equal(t, 0, code)
}

// A real account kept with care: no findings, exit 0, and the table says
// so.
func TestE2ERealLintOfACarefulAccountFindsNothing(t *testing.T) {
	s := startReal(t)
	_, auditor := s.ServiceUser(t, "linter", "auditor")
	for _, p := range realList(t, s, "/api/policies") {
		s.MustDo(t, s.OwnerToken, "DELETE", "/api/policies/"+p["id"].(string), nil, nil)
	}
	_, key := s.SetupKey(t, "office", realtest.SetupKeyOptions{UsageLimit: 10})
	online := s.Enrol(t, key, true, "router-1")
	defer online.Disconnect()
	s.Enrol(t, key, false, "laptop-1")
	s.WaitConnected(t, 1)
	peers := realByName(t, s, "/api/peers")
	servers := s.Group(t, "Servers", peers["router-1"]["id"].(string))
	admins := s.Group(t, "Admins", peers["laptop-1"]["id"].(string))
	s.MustDo(t, s.OwnerToken, "POST", "/api/policies", jsonObj{"name": "Admins to servers", "description": "", "enabled": true, "rules": []jsonObj{{
		"name": "ssh", "enabled": true, "action": "accept", "bidirectional": false, "protocol": "tcp", "ports": []string{"22"},
		"sources": []string{admins}, "destinations": []string{servers}}}}, nil)
	s.MustDo(t, s.OwnerToken, "POST", "/api/routes", jsonObj{"network_id": "office-lan", "description": "", "enabled": true, "metric": 9999,
		"masquerade": true, "keep_route": false, "network": "10.77.0.0/24", "peer_groups": []string{servers}, "groups": []string{admins}}, nil)

	code, got, gaps := lintOf(t, s, auditor)
	require.Empty(t, got)
	require.Equal(t, 0, code)
	require.Contains(t, gaps, "access tokens of", "an auditor may not read every user's tokens, and the report says so")

	code, out := runTool(t, []string{"PATH=" + os.Getenv("PATH"), "NB_URL=" + s.URL, "NB_API_KEY=" + auditor}, "lint")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "checks: no findings")
}

func TestLintRefusesAnUnknownSeverityOrCheck(t *testing.T) {
	env := []string{"PATH=" + os.Getenv("PATH"), "NB_URL=http://127.0.0.1:9", "NB_API_KEY=nbp_x"}
	code, out := runTool(t, env, "lint", "--fail-on", "severe")
	require.Equal(t, 2, code)
	require.Contains(t, out, `birdseye: --fail-on "severe" is not a severity; expected one of info, low, medium, high, critical, or none`)
	code, out = runTool(t, append(env, "LINT_SKIP=login-expiry"), "lint")
	require.Equal(t, 2, code)
	require.Contains(t, out, "birdseye: --skip / LINT_SKIP names login-expiry, which is no check; `birdseye lint --list` lists them")
	code, out = runTool(t, env, "lint", "--list")
	require.Equal(t, 0, code)
	require.Contains(t, out, "critical\tpolicy-all-to-all\tAn accept policy from All to All")
}
