package posture

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/netbird/nbtest"
)

func setup(t *testing.T) (*fake.Server, *netbird.Client) { return nbtest.Start(t, fake.AdminToken) }

const check = "dc1uf0tqmd2qmv54vju0"

func TestAddToAllSkipsPostureIgnoreAndKeepsEveryField(t *testing.T) {
	f, c := setup(t)
	// "Ops SSH" carries PING_IGNORE in the fixture; mark "Default" POSTURE_IGNORE.
	var ps []map[string]any
	require.NoError(t, json.Unmarshal(f.Collection("policies"), &ps))
	ps[0]["description"] = "default POSTURE_IGNORE"
	b, _ := json.Marshal(ps)
	f.SetPolicies(string(b))

	var out bytes.Buffer
	r, err := Run(t.Context(), c, Options{Check: "Recent client"}, &out)
	require.NoError(t, err)
	require.Equal(t, `add posture 'Recent client' (dc1uf0tqmd2qmv54vju0) on 3 policy(ies):
  'Default' (dc1uer5qmd2qmv54vjmg): skipped (POSTURE_IGNORE in description)
  'Admins to Servers' (dc1uf0tqmd2qmv54vjvg): [] -> ['Recent client']
  'Ops SSH' (dc1uf0tqmd2qmv54vk1g): [] -> ['Recent client']

Done. changed=2 skipped=0 ignored=1 dry_run=False
`, out.String())
	require.Equal(t, Result{Changed: 2, Ignored: 1}, r)
	ssh := f.Writes()[1].Body
	require.Contains(t, ssh, `"protocol":"netbird-ssh"`)
	require.Contains(t, ssh, `"authorized_groups":{"dc1uf0tqmd2qmv54vjs0":["root"]}`)
	require.Contains(t, ssh, `"source_posture_checks":["dc1uf0tqmd2qmv54vju0"]`)

	out.Reset()
	r, err = Run(t.Context(), c, Options{Check: "Recent client", Policy: "Ops SSH", Remove: true, DryRun: true}, &out)
	require.NoError(t, err)
	require.Contains(t, out.String(), "[dry-run] remove posture 'Recent client'")
	require.Contains(t, out.String(), "  'Ops SSH' (dc1uf0tqmd2qmv54vk1g): ['Recent client'] -> []")
	require.Len(t, f.Writes(), 2, "dry-run writes nothing")

	out.Reset()
	_, err = Run(t.Context(), c, Options{Check: "Recent client", Policy: "Ops SSH"}, &out)
	require.NoError(t, err)
	require.Contains(t, out.String(), "  'Ops SSH' (dc1uf0tqmd2qmv54vk1g): no change")
}

func TestUnknownAndAmbiguousNamesAreRefused(t *testing.T) {
	f, c := setup(t)
	_, err := Run(t.Context(), c, Options{Check: "Nope"}, &bytes.Buffer{})
	require.ErrorContains(t, err, "posture check 'Nope' not found; available: 'Recent client'")
	_, err = Run(t.Context(), c, Options{Check: "Recent client", Policy: "Nope"}, &bytes.Buffer{})
	require.ErrorContains(t, err, "policy 'Nope' not found; available: 'Default', 'Admins to Servers', 'Ops SSH'")
	var ps []map[string]any
	require.NoError(t, json.Unmarshal(f.Collection("policies"), &ps))
	ps[1]["name"] = "Ops SSH"
	b, _ := json.Marshal(ps)
	f.SetPolicies(string(b))
	_, err = Run(t.Context(), c, Options{Check: "Recent client", Policy: "Ops SSH"}, &bytes.Buffer{})
	require.ErrorContains(t, err, "2 policies are named 'Ops SSH'; refusing to guess")
	require.Empty(t, f.Writes())
}
