package config

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBackupPrerequisitesAreNamed(t *testing.T) {
	cfg := &Config{Schedule: Schedule{Backup: "0 3 * * 0"}}
	require.Equal(t, []JobOff{{Job: "backup", Variable: "CRON_BACKUP_NETBIRD", Missing: []string{"BACKUP_ZIP_PASSWORD (or BACKUP_ENCRYPTION=age with BACKUP_AGE_RECIPIENTS)", "BACKUP_PATHS or NB_ADMIN_API_KEY",
		"SMTP_HOST, SMTP_FROM and a recipient (BACKUP_EMAIL_TO/EXPORT_EMAIL_TO/SMTP_TO), or BACKUP_DIR"}}}, cfg.JobsOff())
	cfg.Backup = Backup{Password: "long enough pw", Paths: "/backup", Dir: "/archives"}
	require.Empty(t, cfg.JobsOff(), "BACKUP_DIR is a destination too")
	cfg.Backup.Dir = ""
	cfg.SMTP = SMTP{Host: "h", From: "f@x"}
	cfg.Backup.ExportTo = "a@x"
	require.Empty(t, cfg.JobsOff())
}

// The template leaves CRON_CLEANUP_EPHEMERAL unset: its default schedule
// waits for an admin token without a warning. Set explicitly, it warns,
// with a hint that works (an empty value; unsetting brings the default back).
func TestACleanupWithoutAdminTokenWarnsOnlyWhenSetExplicitly(t *testing.T) {
	os.Unsetenv("CRON_CLEANUP_EPHEMERAL")
	cfg := &Config{Schedule: Schedule{CleanupEphemeral: "*/15 * * * *"}}
	off := cfg.JobsOff()
	require.Len(t, off, 1)
	require.True(t, off[0].Default)
	require.Equal(t, "cleanup-ephemeral is off until NB_ADMIN_API_KEY is set (its schedule CRON_CLEANUP_EPHEMERAL is the default)", off[0].Text())

	t.Setenv("CRON_CLEANUP_EPHEMERAL", "*/15 * * * *")
	off = cfg.JobsOff()
	require.False(t, off[0].Default)
	require.Equal(t, "cleanup-ephemeral is off: CRON_CLEANUP_EPHEMERAL is set but these are missing: NB_ADMIN_API_KEY (set CRON_CLEANUP_EPHEMERAL= empty to turn the job off)", off[0].Text())

	cfg.NetBird.AdminKey = "nbp_x"
	require.Empty(t, cfg.JobsOff())
}
