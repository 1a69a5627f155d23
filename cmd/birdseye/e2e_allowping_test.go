package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/fake"
)

func TestE2EAllowPing(t *testing.T) {
	f, api := newAPI(t)
	admin := toolEnv(api.URL, "NB_ADMIN_API_KEY="+fake.AdminToken)
	d := start(t, admin, "allow-ping", "--dry-run")
	require.Equal(t, 0, d.waitExit())
	require.Equal(t, "[dry-run] ZPING sync (3 originals, 0 companions):", d.stdout()[0])
	require.Empty(t, f.Writes())

	d = start(t, admin, "allow-ping")
	require.Equal(t, 0, d.waitExit())
	require.Contains(t, d.stdout(), "Summary: created=1 updated=0 deleted=0 unchanged=0 ignored=1 dry_run=False")
	d = start(t, admin, "allow-ping")
	require.Equal(t, 0, d.waitExit())
	require.Contains(t, d.stdout(), "Summary: created=0 updated=0 deleted=0 unchanged=1 ignored=1 dry_run=False")
	require.Len(t, f.Writes(), 1, "the second run is idempotent")

	d = start(t, admin, "allow-ping", "--remove-all", "--prefix", "ZPING: ")
	require.Equal(t, 0, d.waitExit())
	require.Contains(t, d.stdout(), "Deleting 1 companion policy(ies):")

	d = start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "allow-ping")
	require.Equal(t, 1, d.waitExit())
	require.Contains(t, d.logs(), "needs an admin token: NB_ADMIN_API_KEY")
}
