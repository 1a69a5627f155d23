package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/sink/email/smtptest"
	"github.com/styliteag/birdseye/internal/sshremote/sshtest"
)

// A scheduled job's command run by hand (to clear a CRIT, or from the
// host's cron) reports as the scheduled run does: its Checkmk check and,
// when it fails, the failure mail; --no-report writes and sends nothing.
func TestE2EAJobRunByHandReportsAsTheScheduledRunDoes(t *testing.T) {
	_, src := newAPI(t)
	dstF, dst := newAPI(t)
	dstF.SetPostureChecks("[]")
	spool := t.TempDir()
	smtp := smtptest.Start(t, "none", "", "")
	env := append(toolEnv(src.URL, "NB_API_KEY="+fake.AuditorToken, "MIRROR_URL="+dst.URL, "MIRROR_API_KEY="+fake.AdminToken,
		"MIRROR_SNAPSHOT_DIR=", "CHECKMK_SPOOL_DIR="+spool, "CRON_MIRROR_ACCOUNT=0 * * * *"), mailEnv(smtp, "off")...)
	check := filepath.Join(spool, "7200_netbird_account_mirror.txt")

	code, out := runTool(t, env, "mirror", "--apply")
	require.Equal(t, 0, code, out)
	b, err := os.ReadFile(check)
	require.NoError(t, err, "the check of the scheduled job is written")
	require.Regexp(t, `^0 NetBird_Account_Mirror - .* ok in \d+s; 1 created, 0 updated, 0 deleted, \d+ waiting for peers or users\n$`, string(b))
	require.Empty(t, smtp.Messages())

	bad := append(env, "MIRROR_API_KEY="+fake.DeletedToken)
	code, out = runTool(t, bad, "mirror")
	require.Equal(t, 1, code, out)
	b, _ = os.ReadFile(check)
	require.Contains(t, string(b), "2 NetBird_Account_Mirror - mirror FAILED: could not read both sides: ")
	require.Len(t, smtp.Messages(), 1)
	require.Contains(t, smtp.Messages()[0].Subject, "mirror-account failed")

	require.NoError(t, os.Remove(check))
	code, out = runTool(t, bad, "mirror", "--no-report")
	require.Equal(t, 1, code, out)
	require.NoFileExists(t, check)
	require.Len(t, smtp.Messages(), 1, "no mail with --no-report")
}

// backup offsite by hand writes the offsite check too (the Python tool's
// file name and age), a dry run does not.
func TestE2EBackupOffsiteByHandWritesItsCheck(t *testing.T) {
	s := sshtest.Start(t)
	spool := t.TempDir()
	env, _, _ := offsiteEnv(t, s, "CHECKMK_SPOOL_DIR="+spool)
	code, out := runTool(t, env, "backup", "offsite", "--dry-run")
	require.Equal(t, 0, code, out)
	entries, _ := os.ReadDir(spool)
	require.Empty(t, entries, "a dry run ships nothing and reports nothing")

	code, out = runTool(t, env, "backup", "offsite")
	require.Equal(t, 0, code, out)
	b, err := os.ReadFile(filepath.Join(spool, "172800_netbird_config_backup.txt"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(b), "0 NetBird_Config_Backup - "), string(b))
}
