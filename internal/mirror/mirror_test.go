package mirror

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/netbird/nbtest"
)

// twoServers: the source is the fake's account as a real v0.77.1 server
// answered it; the target is a fresh controller where the same machines
// enrolled under other ids, with only its All group and nothing else.
func twoServers(t *testing.T) (srcF *fake.Server, src netbird.ReadOnly, dstF *fake.Server, dst *netbird.Client) {
	t.Helper()
	srcF, sc := nbtest.Start(t, fake.AuditorToken)
	dstF, dst = nbtest.Start(t, fake.AdminToken)
	t.Cleanup(func() { require.Empty(t, srcF.Writes(), "the source receives no write") })
	var peers []map[string]any
	require.NoError(t, json.Unmarshal(srcF.Collection("peers"), &peers))
	var members []map[string]any
	for _, p := range peers {
		p["id"] = "t-" + p["id"].(string)
		members = append(members, map[string]any{"id": p["id"], "name": p["name"]})
	}
	b, _ := json.Marshal(peers)
	dstF.SetPeers(string(b))
	all, _ := json.Marshal([]map[string]any{{"id": "t-all", "name": "All", "issued": "api", "peers": members, "peers_count": len(members), "resources": []any{}, "resources_count": 0}})
	dstF.SetGroups(string(all))
	dstF.SetPolicies("[]")
	dstF.SetPostureChecks("[]")
	dstF.SetSetupKeys("[]")
	dstF.SetNetworks("[]")
	dstF.SetNameservers("[]")
	dstF.SetRoutes("[]")
	dstF.Now = func() time.Time { return testNow } // keys it makes expire from the run's now
	return srcF, sc.ReadOnly(), dstF, dst
}

var testNow = time.Date(2026, 11, 29, 4, 0, 0, 0, time.UTC)

func opts(t *testing.T, apply bool) Options {
	return Options{Apply: apply, Prune: true, Sections: Sections, Protected: []string{"All"},
		SnapshotDir: t.TempDir(), Now: testNow, Loc: time.UTC}
}

func TestADryRunPlansEverythingAndWritesNothing(t *testing.T) {
	srcF, src, dstF, dst := twoServers(t)
	var out bytes.Buffer
	c, err := Run(t.Context(), src, dst, opts(t, false), &out)
	require.NoError(t, err, out.String())
	require.Empty(t, dstF.Writes())
	require.Empty(t, srcF.Writes())
	text := out.String()
	require.Contains(t, text, "mode     DRY RUN\n")
	require.Contains(t, text, "  + posture-checks Recent client\n")
	require.Contains(t, text, "  + groups         Servers\n")
	require.Contains(t, text, "  + policies       Admins to Servers\n")
	require.NotContains(t, text, "groups         All", "protected: never touched")
	require.NotContains(t, text, "  - ", "nothing to delete on a fresh target")
	require.Greater(t, c.Created, 3)
	require.Contains(t, text, "Re-run with --apply to execute.")
}

func TestApplyConvergesWithTheTargetsOwnIdsAndASecondApplyWritesNothing(t *testing.T) {
	srcF, src, dstF, dst := twoServers(t)
	var out bytes.Buffer
	o := opts(t, true)
	_, err := Run(t.Context(), src, dst, o, &out)
	require.NoError(t, err, out.String())
	require.Contains(t, out.String(), "target matches the source for every selected section")
	require.Empty(t, srcF.Writes(), "the source receives no write")

	var groups []map[string]any
	require.NoError(t, json.Unmarshal(dstF.Collection("groups"), &groups))
	ids := map[string]string{}
	for _, g := range groups {
		ids[g["name"].(string)] = g["id"].(string)
	}
	var policies []map[string]any
	require.NoError(t, json.Unmarshal(dstF.Collection("policies"), &policies))
	require.NotEmpty(t, policies)
	for _, p := range policies {
		for _, r := range p["rules"].([]any) {
			for _, g := range r.(map[string]any)["sources"].([]any) {
				id := g.(map[string]any)["id"].(string)
				require.Equal(t, ids[g.(map[string]any)["name"].(string)], id, "policies reference the target's own group ids")
				require.NotContains(t, id, "dc1u", "no source id on the target")
			}
		}
	}
	require.Equal(t, "t-all", ids["All"], "the protected group is the target's own")

	entries, _ := os.ReadDir(o.SnapshotDir)
	require.Len(t, entries, 1)
	require.Equal(t, "target-before-20261129-040000.json", entries[0].Name())
	fi, _ := os.Stat(filepath.Join(o.SnapshotDir, entries[0].Name()))
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	writes := len(dstF.Writes())
	out.Reset()
	c, err := Run(t.Context(), src, dst, o, &out)
	require.NoError(t, err, out.String())
	require.Zero(t, c.changes(), out.String())
	require.Len(t, dstF.Writes(), writes, "a second apply writes nothing")
}

func TestPruneDeletesOnlyWhatTheSourceLacksAndNeverAProtectedGroup(t *testing.T) {
	_, src, dstF, dst := twoServers(t)
	dstF.SetGroups(`[{"id":"t-all","name":"All","peers":[],"resources":[]},{"id":"t-old","name":"Old team","peers":[],"resources":[]},{"id":"t-keep","name":"Break glass","peers":[],"resources":[]}]`)
	o := opts(t, true)
	o.Protected = []string{"All", "Break glass"}
	o.Prune = false
	var out bytes.Buffer
	_, err := Run(t.Context(), src, dst, o, &out)
	require.NoError(t, err, out.String())
	require.Contains(t, string(dstF.Collection("groups")), "Old team", "prune off: kept")

	o.Prune = true
	out.Reset()
	_, err = Run(t.Context(), src, dst, o, &out)
	require.NoError(t, err, out.String())
	require.Contains(t, out.String(), "  - groups         Old team\n")
	got := string(dstF.Collection("groups"))
	require.NotContains(t, got, "Old team")
	require.Contains(t, got, "Break glass", "protected")
}

func TestADriftedTargetIsUpdatedShowingWhatChanged(t *testing.T) {
	_, src, dstF, dst := twoServers(t)
	_, err := Run(t.Context(), src, dst, opts(t, true), &bytes.Buffer{})
	require.NoError(t, err)
	// Someone edits the target by hand.
	var pcs []map[string]any
	require.NoError(t, json.Unmarshal(dstF.Collection("posture-checks"), &pcs))
	pcs[0]["checks"] = map[string]any{"nb_version_check": map[string]any{"min_version": "0.10.0"}}
	b, _ := json.Marshal(pcs)
	dstF.SetPostureChecks(string(b))

	o := opts(t, false)
	o.Verbose = true
	var out bytes.Buffer
	c, err := Run(t.Context(), src, dst, o, &out)
	require.NoError(t, err)
	require.Equal(t, 1, c.Updated, out.String())
	require.Contains(t, out.String(), "  ~ posture-checks Recent client (checks)\n")
	require.Contains(t, out.String(), `      checks: {"nb_version_check":{"min_version":"0.10.0"}} → {"nb_version_check":{"min_version":"0.70.0"}}`)
	require.Contains(t, out.String(), "  = groups         Servers\n", "verbose shows what is in sync")
}

func TestAPeerNotEnrolledOnTheTargetHoldsBackOnlyWhatNeedsIt(t *testing.T) {
	srcF, src, dstF, dst := twoServers(t)
	var peers []map[string]any
	require.NoError(t, json.Unmarshal(dstF.Collection("peers"), &peers))
	b, _ := json.Marshal(peers[1:]) // the first machine has not enrolled on the target yet
	dstF.SetPeers(string(b))
	var srcPeers []map[string]any
	require.NoError(t, json.Unmarshal(srcF.Collection("peers"), &srcPeers))
	var out bytes.Buffer
	_, err := Run(t.Context(), src, dst, opts(t, true), &out)
	require.NoError(t, err, out.String())
	require.Contains(t, out.String(), "peer(s) not enrolled on target yet, left out for now: "+srcPeers[0]["name"].(string))
	require.Contains(t, out.String(), "object(s) waiting for peers to enrol or users to be created on the target")
}

func TestSectionsAreChosenAsTheOldToolDidAndUnknownOnesAreNamed(t *testing.T) {
	got, err := Choose(nil, nil, nil)
	require.NoError(t, err)
	require.Equal(t, Sections[:len(Sections)-1], got, "every section but addresses, which is mirrored only when named")
	got, err = Choose(nil, []string{"addresses"}, nil)
	require.NoError(t, err)
	require.Equal(t, []string{"addresses"}, got)
	got, err = Choose([]string{"policies", "groups"}, nil, []string{"policies"})
	require.NoError(t, err)
	require.Equal(t, []string{"groups"}, got)
	got, err = Choose([]string{"groups"}, []string{"policies", "posture-checks"}, nil)
	require.NoError(t, err)
	require.Equal(t, []string{"posture-checks", "policies"}, got, "--only replaces, canonical order")
	_, err = Choose([]string{"gruops"}, nil, nil)
	require.ErrorContains(t, err, "unknown section(s): gruops; known: posture-checks, groups, networks")
}

func TestTheSameHostIsRefusedAlsoUnderAnotherName(t *testing.T) {
	same, why := SameHost(t.Context(), "https://NB.example.com", "https://nb.example.com:443/")
	require.True(t, same, why)
	same, why = SameHost(t.Context(), "http://127.0.0.1:8080", "http://localhost:8080")
	require.True(t, same)
	require.Contains(t, why, "127.0.0.1:8080")
	same, _ = SameHost(t.Context(), "http://127.0.0.1:8080", "http://127.0.0.1:8081")
	require.False(t, same, "another port is another server")
	for _, other := range []string{"http://0.0.0.0:8080", "http://[::ffff:127.0.0.1]:8080", "http://[::1]:8080", "http://[::]:8080"} {
		same, _ = SameHost(t.Context(), "http://127.0.0.1:8080", other)
		require.True(t, same, other)
	}
	same, _ = SameHost(t.Context(), "https://127.0.0.1:8443", "127.0.0.1:8443")
	require.True(t, same, "a URL without a scheme is https, as the client reads it")
	same, _ = SameHost(t.Context(), "http://127.0.0.1:8080", "http://127.0.0.2:8080")
	require.False(t, same, "another loopback address may be another server")
}

// A write the target refuses is reported with the server's reason; the run
// goes on with what does not depend on it (what does is held back) and
// fails at the end.
func TestARefusedWriteIsReportedAndTheRunGoesOn(t *testing.T) {
	_, src, dstF, dst := twoServers(t)
	refusal := fake.ServerError(1)
	refusal.Method, refusal.Path = "POST", "/api/groups"
	dstF.Fail(refusal)
	var out bytes.Buffer
	o := opts(t, true)
	c, err := Run(t.Context(), src, dst, o, &out)
	require.Error(t, err)
	require.Equal(t, 1, c.Failed)
	require.Contains(t, out.String(), "  E groups         Laptops — create refused: POST /api/groups: HTTP 500: internal server error")
	require.Contains(t, out.String(), "  + groups         Ops", "the next group is still created")
	require.Contains(t, out.String(), "  ! nameservers    corp — group 'Laptops' missing on target", "what depends on it is held back")
	require.Contains(t, out.String(), "  + policies       Ops SSH", "later sections still run")
	require.NotContains(t, out.String(), "ABORTED")
	require.True(t, strings.Contains(out.String(), "snapshot of the target before writing"), "the snapshot was taken before the first write")
	entries, _ := os.ReadDir(o.SnapshotDir)
	require.Len(t, entries, 1, "and it stays")
}

func TestSetupKeysAreCreatedWithTheTargetsGroupsAndExpiredOnesAreLeftAlone(t *testing.T) {
	srcF, src, dstF, dst := twoServers(t)
	var keys []map[string]any
	require.NoError(t, json.Unmarshal(srcF.Collection("setup-keys"), &keys))
	require.Len(t, keys, 2)
	o := opts(t, true)
	o.Now = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC) // 7 hours before office-2026 expires
	dstF.Now = func() time.Time { return o.Now }
	var out bytes.Buffer
	_, err := Run(t.Context(), src, dst, o, &out)
	require.NoError(t, err, out.String())
	var made []map[string]any
	require.NoError(t, json.Unmarshal(dstF.Collection("setup-keys"), &made))
	require.Len(t, made, len(keys), out.String())
	var groups []map[string]any
	require.NoError(t, json.Unmarshal(dstF.Collection("groups"), &groups))
	targetIDs := map[string]bool{}
	for _, g := range groups {
		targetIDs[g["id"].(string)] = true
	}
	for _, k := range made {
		for _, g := range k["auto_groups"].([]any) {
			require.True(t, targetIDs[g.(string)], "auto group %v is the target's", g)
		}
	}
	var req map[string]any
	for _, w := range dstF.Writes() {
		if w.Method == "POST" && w.Path == "/api/setup-keys" && strings.Contains(w.Body, `"office-2026"`) {
			require.NoError(t, json.Unmarshal([]byte(w.Body), &req))
		}
	}
	var exp time.Time
	for _, k := range keys {
		if k["name"] == "office-2026" {
			exp, _ = time.Parse(time.RFC3339Nano, k["expires"].(string))
		}
	}
	require.Equal(t, float64(int(exp.Sub(o.Now).Seconds())), req["expires_in"],
		"it expires when the source's does (NetBird takes any expiry ahead; the old tool gave a day at least)")
	out.Reset()
	_, err = Run(t.Context(), src, dst, o, &out)
	require.NoError(t, err, out.String())
	require.Contains(t, out.String(), "applied: 0 created, 0 updated, 0 deleted", "in step: no replace")

	// Later, the key has expired on the source: nothing to create.
	dstF.SetSetupKeys("[]")
	o.Now = time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	out.Reset()
	_, err = Run(t.Context(), src, dst, o, &out)
	require.NoError(t, err, "an expired key is no difference")
	require.Contains(t, out.String(), "  ! setup-keys     office-2026 — expired on the source: not created\n")
}

func TestAKeyRevokedOnTheTargetIsReportedNotUnrevoked(t *testing.T) {
	srcF, src, dstF, dst := twoServers(t)
	_, err := Run(t.Context(), src, dst, opts(t, true), &bytes.Buffer{})
	require.NoError(t, err)
	var keys []map[string]any
	require.NoError(t, json.Unmarshal(dstF.Collection("setup-keys"), &keys))
	for _, k := range keys {
		k["revoked"] = true
	}
	b, _ := json.Marshal(keys)
	dstF.SetSetupKeys(string(b))
	var srcKeys []map[string]any
	require.NoError(t, json.Unmarshal(srcF.Collection("setup-keys"), &srcKeys))
	var out bytes.Buffer
	_, err = Run(t.Context(), src, dst, opts(t, true), &out)
	require.Error(t, err, "still different after apply")
	require.Contains(t, out.String(), "revoked on the target (a revoked key cannot be un-revoked)")
	require.Contains(t, out.String(), "UNRESOLVED setup-keys: ")
}

func TestPeerSettingsFollowTheSourceAndPeersAreNeverCreatedOrDeleted(t *testing.T) {
	srcF, src, dstF, dst := twoServers(t)
	var peers []map[string]any
	require.NoError(t, json.Unmarshal(srcF.Collection("peers"), &peers))
	peers[0]["ssh_enabled"] = true
	peers = append(peers, map[string]any{"id": "src-only", "name": "new-laptop"})
	b, _ := json.Marshal(peers)
	srcF.SetPeers(string(b))
	var out bytes.Buffer
	_, err := Run(t.Context(), src, dst, opts(t, true), &out)
	require.NoError(t, err, out.String())
	require.Contains(t, out.String(), "  ~ peers          "+peers[0]["name"].(string)+" (ssh_enabled)\n")
	require.Contains(t, out.String(), "  ! peers          new-laptop — not enrolled on target\n")
	var got []map[string]any
	require.NoError(t, json.Unmarshal(dstF.Collection("peers"), &got))
	require.Len(t, got, len(peers)-1)
	for _, p := range got {
		if p["name"] == peers[0]["name"] {
			require.Equal(t, true, p["ssh_enabled"])
			require.NotEmpty(t, p["ip"], "the rest of the peer stays")
		}
	}
}

// Networks with their resources and routers, routes, nameservers and DNS
// settings land on the target with every reference remapped; a policy
// towards a network resource points at the target's resource.
func TestNetworksRoutesAndDNSAreMirroredWithTheTargetsIDs(t *testing.T) {
	srcF, src, dstF, dst := twoServers(t)
	const office = "dc1uf0tqmd2qmv54vk6g"
	const servers, laptops = "dc1uf0tqmd2qmv54vjp0", "dc1uf0tqmd2qmv54vjqg"
	var peers []map[string]any
	require.NoError(t, json.Unmarshal(srcF.Collection("peers"), &peers))
	srcF.SetList("networks/"+office+"/routers", `[{"id":"r1","peer":"","peer_groups":["`+servers+`"],"metric":100,"masquerade":true,"enabled":true}]`)
	srcF.SetRoutes(`[{"id":"rt1","network_id":"lab","network_type":"IPv4","network":"10.9.0.0/16","description":"lab","enabled":true,"metric":9999,"masquerade":false,"keep_route":false,"peer":"` + peers[0]["id"].(string) + `","groups":["` + laptops + `"]}]`)
	srcF.SetDNSSettings(`{"disabled_management_groups":["` + laptops + `"]}`)
	var pols []map[string]any
	require.NoError(t, json.Unmarshal(srcF.Collection("policies"), &pols))
	rule := pols[1]["rules"].([]any)[0].(map[string]any)
	delete(rule, "destinations")
	rule["destinationResource"] = map[string]any{"id": "dc1uf0tqmd2qmv54vk80", "type": "subnet"}
	b, _ := json.Marshal(pols)
	srcF.SetPolicies(string(b))

	var dry bytes.Buffer
	_, err := Run(t.Context(), src, dst, opts(t, false), &dry)
	require.NoError(t, err)
	require.Empty(t, dstF.Writes())
	var out bytes.Buffer
	_, err = Run(t.Context(), src, dst, opts(t, true), &out)
	require.NoError(t, err, out.String())
	planned := dry.String()[strings.Index(dry.String(), "  + "):strings.Index(dry.String(), "\nplanned:")]
	applied := strings.ReplaceAll(out.String(), "  snapshot of the target before writing: "+"", "")
	for _, line := range strings.Split(planned, "\n") {
		if strings.HasPrefix(line, "      ") {
			continue // values: placeholders in the dry run, ids in the apply
		}
		require.Contains(t, applied, line, "the dry run planned what the apply did (placeholders for the new network)")
	}
	for _, line := range []string{"  + networks       office\n", "  + resources      office/printer-lan\n", "  + routers        office/groups:Servers\n",
		"  + routes         lab\n", "  + nameservers    corp\n", "  ~ dns-settings   settings (disabled_management_groups)\n"} {
		require.Contains(t, out.String(), line)
	}
	gid := map[string]string{}
	var groups []map[string]any
	require.NoError(t, json.Unmarshal(dstF.Collection("groups"), &groups))
	for _, g := range groups {
		gid[g["name"].(string)] = g["id"].(string)
	}
	var nets []map[string]any
	require.NoError(t, json.Unmarshal(dstF.Collection("networks"), &nets))
	require.Len(t, nets, 1)
	netID := nets[0]["id"].(string)
	res := string(dstF.Collection("networks/" + netID + "/resources"))
	require.Contains(t, res, `"id":"`+gid["Servers"]+`"`, "the resource's group is the target's")
	require.Contains(t, string(dstF.Collection("networks/"+netID+"/routers")), `"peer_groups":["`+gid["Servers"]+`"]`)
	require.Contains(t, string(dstF.Collection("routes")), `"peer":"t-`+peers[0]["id"].(string)+`"`)
	require.Contains(t, string(dstF.Collection("routes")), `"groups":["`+gid["Laptops"]+`"]`)
	require.Contains(t, string(dstF.Collection("dns/nameservers")), `"groups":["`+gid["Laptops"]+`"]`)
	var resList []map[string]any
	require.NoError(t, json.Unmarshal([]byte(res), &resList))
	require.Contains(t, string(dstF.Collection("policies")), `"destinationResource":{"id":"`+resList[0]["id"].(string)+`","type":"subnet"}`)
	dns, err := dst.GetRaw(t.Context(), "/dns/settings")
	require.NoError(t, err)
	require.JSONEq(t, `{"disabled_management_groups":["`+gid["Laptops"]+`"]}`, string(dns))

	writes := len(dstF.Writes())
	out.Reset()
	_, err = Run(t.Context(), src, dst, opts(t, true), &out)
	require.NoError(t, err, out.String())
	require.Len(t, dstF.Writes(), writes, "in step: nothing to write\n%s", out.String())
}

func TestUsersFollowTheSourceAndAreCreatedOnlyWhenAsked(t *testing.T) {
	srcF, src, dstF, dst := twoServers(t)
	const laptops = "dc1uf0tqmd2qmv54vjqg"
	srcF.SetUsers(`[{"id":"u1","email":"admin@netbird.test","name":"Admin","role":"owner","auto_groups":[],"is_blocked":false,"is_service_user":false},
		{"id":"u2","email":"","name":"birdseye-bot","role":"admin","auto_groups":["` + laptops + `"],"is_blocked":false,"is_service_user":true},
		{"id":"u3","email":"","name":"deploy-bot","role":"user","auto_groups":[],"is_blocked":false,"is_service_user":true},
		{"id":"u4","email":"bob@example.com","name":"Bob","role":"user","auto_groups":[],"is_blocked":false,"is_service_user":false}]`)
	var out bytes.Buffer
	c, err := Run(t.Context(), src, dst, opts(t, true), &out)
	require.NoError(t, err, "users the target lacks wait for the operator (or a sign-in): no failure")
	require.Equal(t, 2, c.Remaining.Waiting)
	require.Contains(t, out.String(), "  ~ users          service user birdseye-bot (role, auto_groups)\n")
	require.Contains(t, out.String(), "  ! users          service user deploy-bot — not on target (--create-users or MIRROR_CREATE_USERS=true creates it)\n")
	require.Contains(t, out.String(), "  ! users          bob@example.com — has not signed in on target yet (--create-users or MIRROR_CREATE_USERS=true invites them)\n")
	require.Contains(t, out.String(), "2 object(s) waiting for peers to enrol or users to be created on the target")
	require.NotContains(t, out.String(), "users          admin@netbird.test", "the owner stays owner")

	o := opts(t, true)
	o.CreateUsers = true
	out.Reset()
	_, err = Run(t.Context(), src, dst, o, &out)
	require.NoError(t, err, out.String())
	var got []map[string]any
	require.NoError(t, json.Unmarshal(dstF.UsersJSON(), &got))
	byName := map[string]map[string]any{}
	for _, u := range got {
		byName[u["name"].(string)] = u
	}
	require.Equal(t, "user", byName["deploy-bot"]["role"])
	require.Equal(t, "invited", byName["Bob"]["status"])
	require.Equal(t, "owner", byName["Admin"]["role"])
	require.NotEqual(t, laptops, byName["birdseye-bot"]["auto_groups"].([]any)[0], "the target's group id")
}

func TestAccountSettingsAreCopiedWhereTheTargetHasThemWithGroupsRemapped(t *testing.T) {
	_, src, dstF, dst := twoServers(t)
	var accounts []map[string]any
	raw, err := dst.GetRaw(t.Context(), "/accounts")
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &accounts))
	settings := accounts[0]["settings"].(map[string]any)
	settings["peer_login_expiration"] = 1
	settings["ipv6_enabled_groups"] = []any{"t-all"}
	b, _ := json.Marshal(accounts)
	dstF.SetAccounts(string(b))
	o := opts(t, true)
	o.Sections = []string{"groups", "account"}
	var out bytes.Buffer
	_, err = Run(t.Context(), src, dst, o, &out)
	require.NoError(t, err, out.String())
	require.Contains(t, out.String(), "  ~ account        settings (peer_login_expiration)\n", "All is the target's All: no difference")
	raw, _ = dst.GetRaw(t.Context(), "/accounts")
	require.NotContains(t, string(raw), `"peer_login_expiration":1,`)
	require.Contains(t, string(raw), `"ipv6_enabled_groups":["t-all"]`)
}

// A reference the target lacks holds back what needs it, with the reason.
func TestAGroupMissingOnTheTargetHoldsBackItsPoliciesWithTheReason(t *testing.T) {
	_, src, _, dst := twoServers(t)
	o := opts(t, true)
	o.Protected = []string{"All", "Ops"} // never created: the target has no Ops
	var out bytes.Buffer
	_, err := Run(t.Context(), src, dst, o, &out)
	require.Error(t, err, "unresolved after apply")
	require.Contains(t, out.String(), "  ! policies       Admins to Servers — group 'Ops' missing on target\n")
	require.Contains(t, out.String(), "UNRESOLVED policies: Admins to Servers — group 'Ops' missing on target")
	require.Contains(t, out.String(), "  + policies       Default\n", "the others go ahead")
}

// The source is handed over as netbird.ReadOnly: it has no method that
// writes, so the mirror cannot write to it whatever its code does.
func TestTheSourceTypeHasNoWriteMethod(t *testing.T) {
	ro := reflect.TypeOf(netbird.ReadOnly{})
	for i := range ro.NumMethod() {
		require.Contains(t, []string{"BaseURL", "GetRaw"}, ro.Method(i).Name)
	}
	_, isTarget := any(netbird.ReadOnly{}).(Target)
	require.False(t, isTarget)
}
