package tables

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/netbird/fake"
)

func fixtures(t *testing.T) ([]netbird.Policy, []netbird.Group, []netbird.PostureCheck, []netbird.Peer) {
	var ps []netbird.Policy
	var gs []netbird.Group
	var cs []netbird.PostureCheck
	var peers []netbird.Peer
	require.NoError(t, json.Unmarshal(fake.PoliciesJSON, &ps))
	require.NoError(t, json.Unmarshal(fake.GroupsJSON, &gs))
	require.NoError(t, json.Unmarshal(fake.PostureChecksJSON, &cs))
	require.NoError(t, json.Unmarshal(fake.PeersJSON, &peers))
	return ps, gs, cs, peers
}

func TestPoliciesListIsTheOldFormat(t *testing.T) {
	ps, _, _, _ := fixtures(t)
	ps[1].Name = "ACME's Clients"
	ps[1].Enabled = false
	var out bytes.Buffer
	Policies(&out, ps)
	require.Equal(t, `dc1uer5qmd2qmv54vjmg  'Default'                       enabled=True  rules=1
dc1uf0tqmd2qmv54vjvg  "ACME's Clients"                enabled=False  rules=1
dc1uf0tqmd2qmv54vk1g  'Ops SSH'                       enabled=True  rules=1
`, out.String())
	out.Reset()
	Policies(&out, nil)
	require.Equal(t, "No policies found.\n", out.String())
}

func TestOverviewSections(t *testing.T) {
	ps, gs, cs, _ := fixtures(t)
	ps[1].SourcePostureChecks = []string{cs[0].ID, "gone"}
	var out bytes.Buffer
	Overview(&out, ps, gs, cs)
	s := out.String()
	require.Contains(t, s, "\nPolicies (3)\n============\n  dc1uer5qmd2qmv54vjmg  'Default'                            enabled=True  rules=1  posture_checks=0\n")
	require.Contains(t, s, "\nGroups (4)\n==========\n  dc1uer5qmd2qmv54vjm0  'All'                                peers=3  resources=0\n")
	require.Contains(t, s, "\nPosture Checks (1)\n==================\n  dc1uf0tqmd2qmv54vju0  'Recent client'            checks=[nb_version_check]\n")
	require.Contains(t, s, "\nPolicy: 'Admins to Servers'  (dc1uf0tqmd2qmv54vjvg)\n"+strings.Repeat("-", 72)+"\n  description    : ssh for admins\n  enabled        : True\n  posture checks : Recent client (dc1uf0tqmd2qmv54vju0), <unknown> (gone)\n  rules (1):\n    Rule: 'ssh'  (dc1uf0tqmd2qmv54vjvg)\n      action       : accept\n      protocol     : tcp   ports: 22,2222\n      bidirectional: False\n      enabled      : True\n      sources      : Ops (dc1uf0tqmd2qmv54vjs0)\n      destinations : Servers (dc1uf0tqmd2qmv54vjp0)\n")
	require.Contains(t, s, "      protocol     : netbird-ssh   ports: —\n")
	require.Contains(t, s, "      ssh logins   : Ops (dc1uf0tqmd2qmv54vjs0) as root\n", "a netbird-ssh rule's authorized groups")
}

func TestPeersTable(t *testing.T) {
	_, _, _, peers := fixtures(t)
	now, _ := time.Parse(time.RFC3339, "2026-11-23T10:13:07Z")
	var out bytes.Buffer
	Peers(&out, peers, now)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 4)
	require.Regexp(t, `^NAME\s+IP\s+CONNECTED\s+EPHEMERAL\s+LAST SEEN\s+OS\s+VERSION\s+GROUPS$`, lines[0])
	require.Regexp(t, `^alice-laptop\s+100\.77\.108\.4\s+no\s+no\s+2h ago\s+Debian GNU/Linux 12\s+0\.77\.1\s+Laptops$`, lines[1])
	require.Contains(t, out.String(), "ci-runner-17")
	require.Equal(t, "never", Ago(time.Time{}, now, false))
	require.Equal(t, "now", Ago(time.Time{}, now, true))
	require.Equal(t, "3d ago", Ago(now.Add(-80*time.Hour), now, false))
}
