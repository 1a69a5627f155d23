package netbird

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/fake"
)

func TestTheRealPoliciesDecode(t *testing.T) {
	var ps []Policy
	require.NoError(t, json.Unmarshal(fake.PoliciesJSON, &ps))
	require.Len(t, ps, 3)
	ssh := ps[2]
	require.Equal(t, "Ops SSH", ssh.Name)
	require.Equal(t, "netbird-ssh", ssh.Rules[0].Protocol)
	require.NotEmpty(t, ssh.Rules[0].AuthorizedGroups)
	require.Equal(t, []string{"22", "2222"}, ps[1].Rules[0].Ports)
}

// A policy read and written back unchanged must be the same policy: every
// field the write accepts survives, groups become ids, netbird-ssh and
// authorized_groups pass through.
func TestWritingAPolicyBackChangesNothing(t *testing.T) {
	f, srv := newFake(t)
	c, _ := New(srv.URL, fake.AdminToken)
	before, err := c.ListPolicies(t.Context())
	require.NoError(t, err)
	for _, p := range before {
		_, err := c.UpdatePolicy(t.Context(), p.ID, p.Update())
		require.NoError(t, err, p.Name)
	}
	after, err := c.ListPolicies(t.Context())
	require.NoError(t, err)
	require.Equal(t, normalise(before), normalise(after))

	var body map[string]any
	writes := f.Writes()
	require.NoError(t, json.Unmarshal([]byte(writes[len(writes)-1].Body), &body))
	rule := body["rules"].([]any)[0].(map[string]any)
	require.Equal(t, "netbird-ssh", rule["protocol"])
	require.Equal(t, []any{"dc1uf0tqmd2qmv54vjs0"}, rule["sources"], "group objects are written as ids")
	require.Contains(t, rule, "authorized_groups")
}

func TestUpdateKeepsResourcesAndPortRanges(t *testing.T) {
	p := Policy{Name: "r", Enabled: true, Rules: []PolicyRule{{
		Name: "x", Protocol: "tcp", Action: "accept", PortRanges: []PortRange{{Start: 8000, End: 8100}},
		SourceResource: &Resource{ID: "res1", Type: "subnet"}, Destinations: []GroupRef{{ID: "g1", Name: "G"}},
	}}}
	b, err := json.Marshal(p.Update())
	require.NoError(t, err)
	require.JSONEq(t, `{"name":"r","description":"","enabled":true,"rules":[{"name":"x","description":"","enabled":false,
		"action":"accept","protocol":"tcp","bidirectional":false,"port_ranges":[{"start":8000,"end":8100}],
		"sourceResource":{"id":"res1","type":"subnet"},"destinations":["g1"]}]}`, string(b))
}

// normalise treats an empty posture-check list like none: the server
// answers either for a policy without posture checks.
func normalise(ps []Policy) []Policy {
	for i := range ps {
		if len(ps[i].SourcePostureChecks) == 0 {
			ps[i].SourcePostureChecks = nil
		}
	}
	return ps
}
