package allowping

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/netbird/nbtest"
)

func setup(t *testing.T) (*fake.Server, *netbird.Client) { return nbtest.Start(t, fake.AdminToken) }

func run(t *testing.T, c *netbird.Client, o Options) (Result, string) {
	t.Helper()
	var out bytes.Buffer
	r, err := Run(t.Context(), c, o, &out)
	require.NoError(t, err, out.String())
	return r, out.String()
}

func policy(t *testing.T, c *netbird.Client, name string) *netbird.Policy {
	t.Helper()
	ps, err := c.ListPolicies(t.Context())
	require.NoError(t, err)
	for _, p := range ps {
		if p.Name == name {
			return &p
		}
	}
	return nil
}

func TestCreateThenIdempotent(t *testing.T) {
	f, c := setup(t)
	r, out := run(t, c, Options{})
	require.Equal(t, `ZPING sync (3 originals, 0 companions):
  + 'ZPING: Admins to Servers'  (from 'Admins to Servers': 'ssh' (tcp/22,2222); 1 icmp rule(s))
  · 'Ops SSH' (dc1uf0tqmd2qmv54vk1g)  (skipped, PING_IGNORE in description)

Summary: created=1 updated=0 deleted=0 unchanged=0 ignored=1 dry_run=False
`, out)
	require.Equal(t, Result{Created: 1, Ignored: 1}, r)
	require.Len(t, f.Writes(), 1)
	require.JSONEq(t, `{"name":"ZPING: Admins to Servers","description":"Auto-generated ICMP companion for 'Admins to Servers'","enabled":true,
		"rules":[{"name":"ZPING: ssh","description":"Auto-generated ICMP companion","enabled":true,"action":"accept","protocol":"icmp",
		"bidirectional":false,"sources":["dc1uf0tqmd2qmv54vjs0"],"destinations":["dc1uf0tqmd2qmv54vjp0"]}]}`, f.Writes()[0].Body)

	r, out = run(t, c, Options{})
	require.Equal(t, Result{Unchanged: 1, Ignored: 1}, r, out)
	require.Len(t, f.Writes(), 1, "a second run writes nothing")
}

func TestDriftIsRewrittenAndOrphansDeleted(t *testing.T) {
	f, c := setup(t)
	run(t, c, Options{})
	comp := policy(t, c, "ZPING: Admins to Servers")
	u := comp.Update()
	u.Enabled = false
	u.Rules[0].Destinations = []string{"dc1uf0tqmd2qmv54vjqg"}
	_, err := c.UpdatePolicy(t.Context(), comp.ID, u)
	require.NoError(t, err)

	r, out := run(t, c, Options{})
	require.Equal(t, 1, r.Updated, out)
	require.Contains(t, out, "  ~ 'ZPING: Admins to Servers' ("+comp.ID+")  (drift from 'Admins to Servers')")
	require.Contains(t, out, "      enabled: false -> true\n", "each drifted field, before -> after")
	require.Regexp(t, `      rules: \[.*\[dc1uf0tqmd2qmv54vjqg\].*\] -> \[.*\[dc1uf0tqmd2qmv54vjp0\].*\]\n`, out)
	require.NotContains(t, out, "description:", "what did not drift is not listed")
	fixed := policy(t, c, "ZPING: Admins to Servers")
	require.True(t, fixed.Enabled)
	require.Equal(t, "dc1uf0tqmd2qmv54vjp0", fixed.Rules[0].Destinations[0].ID)

	orig := policy(t, c, "Admins to Servers")
	require.NoError(t, c.DeletePolicy(t.Context(), orig.ID))
	writes := len(f.Writes())
	r, out = run(t, c, Options{})
	require.Equal(t, 1, r.Deleted)
	require.Contains(t, out, "  - 'ZPING: Admins to Servers' ("+comp.ID+")  (original missing)")
	require.Equal(t, "DELETE", f.Writes()[writes].Method)
	require.Nil(t, policy(t, c, "ZPING: Admins to Servers"))
}

func TestPingIgnoreAndPostureIgnoreAndNetbirdSSH(t *testing.T) {
	f, c := setup(t)
	// An original with a netbird-ssh rule and a udp rule, POSTURE_IGNORE in its description.
	_, err := c.CreatePolicy(t.Context(), netbird.PolicyUpdate{Name: "ACME's Clients", Description: "geo POSTURE_IGNORE", Enabled: false,
		Rules: []netbird.RuleUpdate{
			{Name: "ssh", Enabled: true, Action: "accept", Protocol: "netbird-ssh", Sources: []string{"dc1uf0tqmd2qmv54vjs0"}, Destinations: []string{"dc1uf0tqmd2qmv54vjp0"}},
			{Name: "dns", Enabled: true, Action: "accept", Protocol: "udp", Ports: []string{"53"}, Bidirectional: true, Sources: []string{"dc1uf0tqmd2qmv54vjqg"}, Destinations: []string{"dc1uf0tqmd2qmv54vjp0"}},
			{Name: "dns-tcp", Enabled: true, Action: "accept", Protocol: "tcp", Ports: []string{"53"}, Sources: []string{"dc1uf0tqmd2qmv54vjqg"}, Destinations: []string{"dc1uf0tqmd2qmv54vjp0"}},
		}})
	require.NoError(t, err)
	before := policy(t, c, "ACME's Clients")
	run(t, c, Options{})
	comp := policy(t, c, "ZPING: ACME's Clients")
	require.NotNil(t, comp)
	require.Equal(t, `Auto-generated ICMP companion for "ACME's Clients" POSTURE_IGNORE`, comp.Description, "Python repr quoting, marker carried over")
	require.False(t, comp.Enabled)
	require.Len(t, comp.Rules, 1, "netbird-ssh gets no companion; the tcp rule has the same endpoints as the udp one")
	require.Equal(t, "ZPING: dns", comp.Rules[0].Name)
	require.Equal(t, before, policy(t, c, "ACME's Clients"), "the original is never written")
	for _, w := range f.Writes() {
		if w.Method != "GET" && strings.Contains(w.Path, before.ID) {
			t.Fatalf("wrote the original: %v", w)
		}
	}

	// Marking the original PING_IGNORE removes its companion.
	u := before.Update()
	u.Description = "geo POSTURE_IGNORE PING_IGNORE"
	_, err = c.UpdatePolicy(t.Context(), before.ID, u)
	require.NoError(t, err)
	r, out := run(t, c, Options{})
	require.Equal(t, 1, r.Deleted, out)
	require.Contains(t, out, "(original marked PING_IGNORE)")
}

func TestDryRunAndRemoveAll(t *testing.T) {
	f, c := setup(t)
	r, out := run(t, c, Options{DryRun: true})
	require.Equal(t, 1, r.Created)
	require.True(t, strings.HasPrefix(out, "[dry-run] ZPING sync"))
	require.Contains(t, out, "dry_run=True")
	require.Empty(t, f.Writes())

	run(t, c, Options{})
	r, out = run(t, c, Options{RemoveAll: true, DryRun: true})
	require.Equal(t, 1, r.Deleted)
	require.Contains(t, out, "[dry-run] Deleting 1 companion policy(ies):\n  - 'ZPING: Admins to Servers'")
	require.Len(t, f.Writes(), 1)
	run(t, c, Options{RemoveAll: true})
	require.Nil(t, policy(t, c, "ZPING: Admins to Servers"))
	_, out = run(t, c, Options{RemoveAll: true})
	require.Equal(t, "No policies starting with 'ZPING: ' found.\n", out)
}

func TestACompanionMadeByThePythonToolIsInStep(t *testing.T) {
	f, c := setup(t)
	// The body the Python tool posted for "Admins to Servers".
	var body map[string]any
	require.NoError(t, json.Unmarshal([]byte(`{"name": "ZPING: Admins to Servers", "description": "Auto-generated ICMP companion for 'Admins to Servers'", "enabled": true, "source_posture_checks": [], "rules": [{"name": "ZPING: ssh", "description": "Auto-generated ICMP companion", "enabled": true, "action": "accept", "protocol": "icmp", "bidirectional": false, "sources": ["dc1uf0tqmd2qmv54vjs0"], "destinations": ["dc1uf0tqmd2qmv54vjp0"]}]}`), &body))
	b, _ := json.Marshal(body)
	var u netbird.PolicyUpdate
	require.NoError(t, json.Unmarshal(b, &u))
	_, err := c.CreatePolicy(t.Context(), u)
	require.NoError(t, err)
	writes := len(f.Writes())
	r, _ := run(t, c, Options{})
	require.Equal(t, 1, r.Unchanged)
	require.Len(t, f.Writes(), writes, "no churn after switching from the Python tool")
}
