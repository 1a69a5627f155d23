package setupkeys

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/netbird/nbtest"
)

func setup(t *testing.T) (*fake.Server, *netbird.Client) { return nbtest.Start(t, fake.AdminToken) }

func TestListShowsGroupsByName(t *testing.T) {
	_, c := setup(t)
	var out bytes.Buffer
	_, err := List(t.Context(), c, "", false, &out)
	require.NoError(t, err)
	require.Equal(t, `setup keys (2):
  office-2026                id=dc1uf0tqmd2qmv54vk30  ephemeral=False  revoked=False  groups=[Laptops, Ops]
  ci-runners                 id=dc1uf0tqmd2qmv54vk40  ephemeral=True   revoked=False  groups=[Servers]
`, out.String())
}

func TestUpdateOneKeyBeforeAfterAndDryRun(t *testing.T) {
	f, c := setup(t)
	var out bytes.Buffer
	n, err := Update(t.Context(), c, "office-2026", false, Change{Add: []string{"Servers"}, Remove: []string{"Ops"}}, true, &out)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, "  would update office-2026: [Laptops, Ops] -> [Laptops, Servers]\nDone. would change=1, total=1.\n", out.String())
	require.Empty(t, f.Writes(), "dry-run writes nothing")

	out.Reset()
	_, err = Update(t.Context(), c, "office-2026", false, Change{Add: []string{"Servers"}, Remove: []string{"Ops"}}, false, &out)
	require.NoError(t, err)
	require.Contains(t, out.String(), "  updated office-2026: now [Laptops, Servers]\n")
	require.Len(t, f.Writes(), 1)
	require.JSONEq(t, `{"auto_groups":["dc1uf0tqmd2qmv54vjqg","dc1uf0tqmd2qmv54vjp0"],"revoked":false}`, f.Writes()[0].Body)
}

func TestSetRemoveAllAndUnchanged(t *testing.T) {
	f, c := setup(t)
	var out bytes.Buffer
	_, err := Update(t.Context(), c, "", true, Change{Set: []string{"Servers"}}, false, &out)
	require.NoError(t, err)
	require.Contains(t, out.String(), "  skip   ci-runners: auto_groups unchanged ([Servers])")
	require.Contains(t, out.String(), "Done. changed=1, total=2.")
	require.Len(t, f.Writes(), 1)
	out.Reset()
	_, err = Update(t.Context(), c, "ci-runners", false, Change{RemoveAll: true}, false, &out)
	require.NoError(t, err)
	require.Contains(t, out.String(), "ci-runners: [Servers] -> []")
}

func TestRefusals(t *testing.T) {
	f, c := setup(t)
	for _, tc := range []struct {
		key  string
		all  bool
		c    Change
		want string
	}{
		{"", false, Change{Add: []string{"Ops"}}, "a change needs --key NAME or --all-keys"},
		{"nope", false, Change{Add: []string{"Ops"}}, `no setup key found with name "nope"`},
		{"office-2026", false, Change{Add: []string{"Nope"}}, `unknown group name "Nope"; the groups are: All, Laptops, Ops, Servers`},
	} {
		_, err := Update(t.Context(), c, tc.key, tc.all, tc.c, false, &bytes.Buffer{})
		require.ErrorContains(t, err, tc.want)
	}
	f.SetGroups(`[{"id":"g1","name":"Ops"},{"id":"g2","name":"Ops"}]`)
	_, err := Update(t.Context(), c, "office-2026", false, Change{Add: []string{"Ops"}}, false, &bytes.Buffer{})
	require.ErrorContains(t, err, `duplicate group name "Ops" (ids g1 and g2); refusing to guess`)
	f.SetGroups(string(fake.GroupsJSON))
	f.SetSetupKeys(`[{"id":"k1","name":"twin","auto_groups":[]},{"id":"k2","name":"twin","auto_groups":[]}]`)
	_, err = Update(t.Context(), c, "twin", false, Change{Add: []string{"Ops"}}, false, &bytes.Buffer{})
	require.ErrorContains(t, err, `multiple setup keys named "twin": k1, k2; refusing to guess`)
	require.Empty(t, f.Writes())
}
