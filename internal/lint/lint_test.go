package lint

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird"
)

var now = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

var (
	all     = netbird.GroupRef{ID: "g-all", Name: "All"}
	admins  = netbird.GroupRef{ID: "g-admins", Name: "Admins"}
	servers = netbird.GroupRef{ID: "g-servers", Name: "Servers"}
	empty   = netbird.GroupRef{ID: "g-empty", Name: "Contractors"}
)

func rule(name, proto string, from, to netbird.GroupRef, ports ...string) netbird.PolicyRule {
	return netbird.PolicyRule{Name: name, Enabled: true, Action: "accept", Protocol: proto, Sources: []netbird.GroupRef{from}, Destinations: []netbird.GroupRef{to}, Ports: ports}
}

// clean is an account a careful operator keeps: no check finds anything.
func clean() *Account {
	return &Account{
		PolicyEvents: []event.Event{},
		Policies: []netbird.Policy{
			{ID: "p1", Name: "Admins to Servers", Enabled: true, Rules: []netbird.PolicyRule{rule("ssh", "tcp", admins, servers, "22")}, SourcePostureChecks: []string{"pc1"}},
		},
		Groups: []netbird.Group{{ID: "g-all", Name: "All", PeersCount: 2}, {ID: "g-admins", Name: "Admins", PeersCount: 1}, {ID: "g-servers", Name: "Servers", PeersCount: 1}},
		Peers: []netbird.Peer{
			{ID: "r1", Name: "router", Connected: true, LastSeen: now, Groups: []netbird.GroupRef{all, servers}},
			{ID: "l1", Name: "laptop", LastSeen: now.AddDate(0, 0, -3), Groups: []netbird.GroupRef{all, admins}},
		},
		Users:         []netbird.User{{ID: "u1", Name: "Owner", Role: "owner"}, {ID: "s1", Name: "ci", Role: "auditor", IsServiceUser: true}},
		Tokens:        map[string][]netbird.Token{"s1": {{ID: "t1", Name: "ci", ExpirationDate: now.AddDate(0, 6, 0), CreatedAt: now.AddDate(0, -2, 0), LastUsed: now}}},
		SetupKeys:     []netbird.SetupKey{{ID: "k1", Name: "office", Type: "reusable", Valid: true, Expires: now.AddDate(0, 1, 0), UsageLimit: 20}},
		PostureChecks: []netbird.PostureCheck{{ID: "pc1", Name: "NetBird 0.77+"}},
		Nameservers:   []Nameserver{{ID: "ns1", Name: "office DNS", Enabled: true, Groups: []string{"g-all"}}},
		Routes:        []Route{{ID: "rt1", NetworkID: "office-lan", Enabled: true, PeerGroups: []string{"g-servers"}}},
		Settings:      netbird.AccountSettings{PeerLoginExpirationEnabled: true, PeerLoginExpiration: 7 * 86400},
	}
}

func TestACarefulAccountHasNoFindings(t *testing.T) {
	require.Empty(t, Run(clean(), Options{Now: now, StaleDays: 90, DisabledDays: 90}))
}

// Without the audit log a disabled policy's age is not known: nothing is
// said of it (the report's gaps say why), rather than every one as old.
func TestADisabledPolicyIsNotJudgedWithoutTheAuditLog(t *testing.T) {
	a := clean()
	a.Policies = append(a.Policies, netbird.Policy{ID: "p-off", Name: "Old VPN", Rules: []netbird.PolicyRule{rule("o", "tcp", admins, servers, "8080")}})
	a.PolicyEvents = nil
	require.Empty(t, Run(a, Options{Now: now, StaleDays: 90, DisabledDays: 90}))
	a.PolicyEvents = []event.Event{}
	require.Len(t, Run(a, Options{Now: now, StaleDays: 90, DisabledDays: 90}), 1, "read, and no event within the window")
}

// One account trips every check once: each finding names its object, and
// comes with its check's why and fix, most severe first.
func TestEveryCheckFindsWhatWasPlanted(t *testing.T) {
	a := clean()
	a.Policies = append(a.Policies,
		netbird.Policy{ID: "p-default", Name: "Default", Enabled: true, Rules: []netbird.PolicyRule{rule("Default", "all", all, all)}},
		netbird.Policy{ID: "p-web", Name: "Everyone to web", Enabled: true, Rules: []netbird.PolicyRule{rule("web", "tcp", all, servers)}},
		netbird.Policy{ID: "p-ssh", Name: "SSH for all", Enabled: true, Rules: []netbird.PolicyRule{rule("ssh", "netbird-ssh", all, servers)}},
		netbird.Policy{ID: "p-ghost", Name: "Compliant only", Enabled: true, Rules: []netbird.PolicyRule{rule("x", "tcp", admins, servers, "443")}, SourcePostureChecks: []string{"pc-gone"}},
		netbird.Policy{ID: "p-empty", Name: "Contractors", Enabled: true, Rules: []netbird.PolicyRule{rule("c", "tcp", empty, servers, "443")}},
		netbird.Policy{ID: "p-off", Name: "Old VPN", Enabled: false, Rules: []netbird.PolicyRule{rule("o", "tcp", admins, servers, "8080")}},
	)
	a.Groups = append(a.Groups, netbird.Group{ID: "g-empty", Name: "Contractors"})
	a.Peers = append(a.Peers, netbird.Peer{ID: "old", Name: "old-laptop", LastSeen: now.AddDate(0, -6, 0), Groups: []netbird.GroupRef{all, admins}})
	a.Users = append(a.Users,
		netbird.User{ID: "s2", Name: "terraform", Role: "admin", IsServiceUser: true},
		netbird.User{ID: "u9", Name: "Mallory", Role: "user", IsBlocked: true})
	a.Tokens["s2"] = []netbird.Token{{ID: "t2", Name: "tf", ExpirationDate: now.AddDate(0, 11, 0), CreatedAt: now.AddDate(0, -1, 0), LastUsed: now}}
	a.Tokens["u9"] = []netbird.Token{{ID: "t9", Name: "laptop", ExpirationDate: now.AddDate(0, 0, 20), LastUsed: now.AddDate(0, 0, -1)}}
	a.Tokens["u1"] = []netbird.Token{{ID: "t1u", Name: "forgotten", ExpirationDate: now.AddDate(0, 3, 0), CreatedAt: now.AddDate(0, -2, 0)}}
	a.SetupKeys = append(a.SetupKeys,
		netbird.SetupKey{ID: "k-forever", Name: "golden image", Type: "reusable", Valid: true, Expires: now.AddDate(100, 0, 0), UsageLimit: 5},
		netbird.SetupKey{ID: "k-unlimited", Name: "ci", Type: "reusable", Valid: true, Expires: now.AddDate(0, 1, 0)})
	a.PostureChecks = append(a.PostureChecks, netbird.PostureCheck{ID: "pc-unused", Name: "Geo DE"})
	a.Nameservers = append(a.Nameservers, Nameserver{ID: "ns-none", Name: "lab DNS", Enabled: true, Groups: []string{"g-empty"}})
	a.Routes = append(a.Routes, Route{ID: "rt-down", NetworkID: "lab-lan", Enabled: true, Peer: "old"})
	a.Settings.PeerLoginExpirationEnabled = false
	a.PolicyEvents = []event.Event{{ActivityCode: "policy.update", TargetID: "p-off", Timestamp: now.AddDate(0, -5, 0).Format(time.RFC3339)}}

	fs := Run(a, Options{Now: now, StaleDays: 90, DisabledDays: 90})
	var got []string
	for _, f := range fs {
		got = append(got, f.Check+" "+f.Name)
	}
	want := []string{
		"policy-all-to-all Default",
		"policy-all-ports-from-all Everyone to web",
		"policy-ssh-from-all SSH for all",
		"policy-missing-posture-check Compliant only",
		"route-without-healthy-router lab-lan",
		"setupkey-reusable-forever golden image",
		"service-admin-long-token terraform/tf",
		"setupkey-reusable-unlimited ci",
		"login-expiration-off settings",
		"peer-stale-with-access old-laptop",
		"user-blocked-with-tokens Mallory",
		"nameserver-reaches-no-peer lab DNS",
		"token-never-used Owner/forgotten",
		"group-empty-in-policy Contractors",
		"policy-disabled-long Old VPN",
		"posture-check-unused Geo DE",
	}
	require.Equal(t, want, got)
	ids := map[string]bool{}
	for _, f := range fs {
		ids[f.Check] = true
		require.NotEmpty(t, f.Why, f.Check)
		require.NotEmpty(t, f.Fix, f.Check)
	}
	require.Len(t, ids, len(Checks), "every check found its planted problem")
	require.True(t, slices.IsSortedFunc(fs, func(x, y Finding) int { return int(y.Severity) - int(x.Severity) }))

	// Skipped by id, or silenced by a marker in the description.
	a.Policies[1].Description = "the old default; LINT_IGNORE=policy-all-to-all until the migration"
	a.Policies[2].Description = "LINT_IGNORE"
	fs = Run(a, Options{Now: now, StaleDays: 90, DisabledDays: 90, Skip: []string{"login-expiration-off"}})
	got = nil
	for _, f := range fs {
		got = append(got, f.Check+" "+f.Name)
	}
	require.NotContains(t, got, "policy-all-to-all Default")
	require.NotContains(t, got, "policy-all-ports-from-all Everyone to web")
	require.NotContains(t, got, "login-expiration-off settings")
	require.Len(t, got, len(want)-3)
}

func TestTheReportReadsAsTableJSONAndMarkdown(t *testing.T) {
	a := clean()
	a.Policies = append(a.Policies, netbird.Policy{ID: "p-default", Name: "Default*", Enabled: true, Rules: []netbird.PolicyRule{rule("Default", "all", all, all)}})
	r := Report{Findings: Run(a, Options{Now: now, StaleDays: 90}), Checks: len(Checks), Gaps: []string{"the access tokens of 1 of 2 users are not readable"}}
	var b bytes.Buffer
	require.NoError(t, r.WriteTable(&b))
	require.Contains(t, b.String(), "SEVERITY  CHECK              KIND    NAME      DETAIL\ncritical  policy-all-to-all  policy  Default*  rule \"Default\": All → All, all, every port\n")
	require.Contains(t, b.String(), "policy-all-to-all (critical): Every peer reaches every other")
	require.Contains(t, b.String(), "not checked: the access tokens of 1 of 2 users are not readable")
	require.True(t, strings.HasSuffix(b.String(), "16 checks: 1 critical\n"))

	b.Reset()
	require.NoError(t, r.WriteJSON(&b))
	var doc struct {
		Findings []struct{ Check, Severity, Name string }
		Checks   int `json:"checks_run"`
	}
	require.NoError(t, json.Unmarshal(b.Bytes(), &doc))
	require.Equal(t, "critical", doc.Findings[0].Severity)
	require.Equal(t, 16, doc.Checks)

	b.Reset()
	require.NoError(t, r.WriteMarkdown(&b))
	require.Contains(t, b.String(), "## CRITICAL `policy-all-to-all`")
	require.Contains(t, b.String(), "- policy **Default\\***: rule \"Default\": All → All, all, every port")

	b.Reset()
	require.NoError(t, Report{Checks: 16}.WriteJSON(&b))
	require.Contains(t, b.String(), `"findings": []`)
	require.True(t, r.AtLeast(High))
	require.False(t, Report{}.AtLeast(Info))
}

// The weekly report says what is new and what was resolved since the
// last one, then every finding.
func TestTheReportSaysWhatChangedSinceTheLastOne(t *testing.T) {
	dir := t.TempDir()
	kept, err := LoadKept(dir + "/lint-report.json")
	require.NoError(t, err)
	a := clean()
	a.Settings.PeerLoginExpirationEnabled = false
	a.SetupKeys = append(a.SetupKeys, netbird.SetupKey{ID: "k-u", Name: "ci", Type: "reusable", Valid: true, Expires: now.AddDate(0, 1, 0)})
	r := Report{Findings: Run(a, Options{Now: now, StaleDays: 90}), Checks: len(Checks)}
	require.Equal(t, "[NetBird] lint: 2 medium", Subject(r, kept))
	var b bytes.Buffer
	require.NoError(t, WriteChanges(&b, r, kept, time.UTC))
	require.Contains(t, b.String(), "The first lint report: 2 medium.")
	require.NoError(t, Kept{At: now, Findings: r.Findings}.Save(dir+"/lint-report.json"))

	kept, err = LoadKept(dir + "/lint-report.json")
	require.NoError(t, err)
	a.Settings.PeerLoginExpirationEnabled = true
	a.Policies = append(a.Policies, netbird.Policy{ID: "p-default", Name: "Default", Enabled: true, Rules: []netbird.PolicyRule{rule("Default", "all", all, all)}})
	r = Report{Findings: Run(a, Options{Now: now.AddDate(0, 0, 7), StaleDays: 90}), Checks: len(Checks)}
	require.Equal(t, "[NetBird] lint: 1 critical, 1 medium (1 new, 1 resolved)", Subject(r, kept))
	b.Reset()
	require.NoError(t, WriteChanges(&b, r, kept, time.UTC))
	require.Contains(t, b.String(), "Since the report of 2026-12-06 09:00: 1 new, 1 resolved; now 1 critical, 1 medium.")
	require.Contains(t, b.String(), "New:\n  critical policy-all-to-all: policy Default (rule \"Default\": All → All, all, every port)\n")
	require.Contains(t, b.String(), "Resolved:\n  medium   login-expiration-off: account settings (peer_login_expiration_enabled is false)\n")
	require.Contains(t, b.String(), "Every finding:")
}
