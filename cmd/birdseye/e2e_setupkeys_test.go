package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/netbird/fake"
)

func TestE2ESetupKeys(t *testing.T) {
	f, api := newAPI(t)
	admin := toolEnv(api.URL, "NB_ADMIN_API_KEY="+fake.AdminToken)

	d := start(t, admin, "setup-keys", "list", "-o", "json")
	require.Equal(t, 0, d.waitExit())
	var keys []netbird.SetupKey
	require.NoError(t, json.Unmarshal([]byte(strings.Join(d.stdout(), "\n")), &keys))
	require.Len(t, keys, 2)

	d = start(t, admin, "setup-keys", "show", "ci-runners")
	require.Equal(t, 0, d.waitExit())
	require.Equal(t, "setup keys (1):", d.stdout()[0])

	d = start(t, admin, "setup-keys", "update", "--key", "ci-runners", "--add-group", "Ops", "--dry-run")
	require.Equal(t, 0, d.waitExit())
	require.Equal(t, []string{"  would update ci-runners: [Servers] -> [Servers, Ops]", "Done. would change=1, total=1."}, d.stdout())
	require.Empty(t, f.Writes())

	d = start(t, admin, "setup-keys", "update", "--key", "ci-runners", "--add-group", "Ops")
	require.Equal(t, 0, d.waitExit())
	require.Contains(t, d.stdout(), "  updated ci-runners: now [Servers, Ops]")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"setup-keys", "update", "--key", "ci-runners"}, "has nothing to change"},
		{[]string{"setup-keys", "update", "--add-group", "Ops"}, "a change needs --key NAME or --all-keys"},
		{[]string{"setup-keys", "update", "--key", "x", "--all-keys", "--add-group", "Ops"}, "--key and --all-keys can't be used together"},
		{[]string{"setup-keys", "update", "--key", "nope", "--add-group", "Ops"}, `refused: no setup key found with name "nope"`},
		{[]string{"setup-keys", "update", "--key", "ci-runners", "--add-group", "Nope"}, `refused: unknown group name "Nope"`},
	} {
		d = start(t, admin, tc.args...)
		require.Equal(t, 2, d.waitExit(), tc.args)
		require.Contains(t, d.logs(), tc.want, tc.args)
	}

	// A read-only token: the write is refused by NetBird and explained.
	d = start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "setup-keys", "update", "--all-keys", "--remove-all-groups")
	require.Equal(t, 1, d.waitExit())
	require.Contains(t, d.logs(), "HTTP 403: permission denied")
	require.Contains(t, d.logs(), "needs an admin token: NB_ADMIN_API_KEY")
}
