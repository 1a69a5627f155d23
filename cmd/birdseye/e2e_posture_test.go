package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/fake"
)

func TestE2EPosture(t *testing.T) {
	f, api := newAPI(t)
	admin := toolEnv(api.URL, "NB_ADMIN_API_KEY="+fake.AdminToken)

	d := start(t, admin, "posture", "add", "Recent client", "--policy", "Admins to Servers", "--dry-run")
	require.Equal(t, 0, d.waitExit())
	require.Equal(t, "[dry-run] add posture 'Recent client' (dc1uf0tqmd2qmv54vju0) on 1 policy(ies):", d.stdout()[0])
	require.Empty(t, f.Writes())

	d = start(t, admin, "posture", "add", "Recent client", "--all")
	require.Equal(t, 0, d.waitExit())
	require.Contains(t, d.stdout(), "Done. changed=3 skipped=0 ignored=0 dry_run=False")
	require.Len(t, f.Writes(), 3)

	d = start(t, admin, "posture", "remove", "Recent client", "--policy", "Default")
	require.Equal(t, 0, d.waitExit())
	require.Contains(t, strings.Join(d.stdout(), "\n"), "'Default' (dc1uer5qmd2qmv54vjmg): ['Recent client'] -> []")

	d = start(t, admin, "posture", "add", "Nope", "--all")
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), "refused: posture check 'Nope' not found")

	d = start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "posture", "add", "Recent client", "--all")
	require.Equal(t, 1, d.waitExit())
	require.Contains(t, d.logs(), "HTTP 403: permission denied")
	require.Contains(t, d.logs(), "needs an admin token: NB_ADMIN_API_KEY")
}
