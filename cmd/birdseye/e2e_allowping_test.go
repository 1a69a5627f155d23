package main

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/sink/email/smtptest"
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

func TestE2EMaintenanceScheduleAndItsFailureMail(t *testing.T) {
	f, api := newAPI(t)
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, api, sf, "NB_ADMIN_API_KEY="+fake.AdminToken, "CRON_CLEANUP_EPHEMERAL=",
		"CRON_NETBIRD_MAINTENANCE=@every 1s", "MAINTENANCE_POSTURE_CHECK=Recent client", "MAINTENANCE_ALLOW_PING=true"))
	d.waitLog("Summary: created=1")
	require.Contains(t, d.logs(), "add posture 'Recent client'")
	d.waitLog("Summary: created=0 updated=0 deleted=0 unchanged=1")
	require.Contains(t, string(f.Collection("policies")), `"name":"ZPING: Admins to Servers"`)
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())

	smtp := smtptest.Start(t, "starttls", "", "")
	env := append(baseEnv(t, api, sf, "NB_ADMIN_API_KEY="+fake.AdminToken, "CRON_CLEANUP_EPHEMERAL=",
		"CRON_NETBIRD_MAINTENANCE=@every 1s", "MAINTENANCE_POSTURE_CHECK=No such check", "MAINTENANCE_EMAIL_TO=noc@example.com"), mailEnv(smtp, "off")...)
	d = start(t, env)
	d.waitFor("the failure mail", func() bool { return len(smtp.Messages()) > 0 })
	m := smtp.Messages()[0]
	require.Regexp(t, `^\[NetBird\] netbird-maintenance failed \(`, m.Subject)
	require.Equal(t, []string{"noc@example.com"}, m.To)
	require.Contains(t, m.Body, "posture check 'No such check' not found")
}
