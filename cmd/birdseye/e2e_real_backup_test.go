package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// backup volumes of a running real server's directory, then backup check:
// the store's counts equal the live server's, the key in management.json
// opens the store, the archive restores; a change made after the backup
// shows as a difference, which is normal.
func TestE2ERealBackupCheckCountsAgainstTheLiveServer(t *testing.T) {
	s := startReal(t)
	buildSourceAccount(t, s)
	_, auditor := s.ServiceUser(t, "bot-auditor", "auditor")
	dir := t.TempDir()
	env := toolEnv(s.URL, "NB_API_KEY="+auditor, "BACKUP_PATHS="+s.Dir, "BACKUP_DIR="+dir, "BACKUP_ZIP_PASSWORD=e2e backup passphrase")
	code, out := runTool(t, env, "backup", "volumes", "--out", dir)
	require.Equal(t, 0, code, out)

	code, out = runTool(t, env, "backup", "check", "latest")
	require.Equal(t, 0, code, out)
	require.Regexp(t, `store:\s+\S*store\.db: 1 accounts, 4 peers \(live 4\)`, out)
	for _, table := range []string{"groups", "policies", "setup_keys", "users"} {
		require.Regexp(t, `\d+ `+table+` \(live \d+\)`, out, table)
	}
	require.NotContains(t, out, "differs from the live server", "nothing changed since the backup")
	require.NotContains(t, out, "no store encryption key", "management.json came along")
	require.Contains(t, out, "verdict:  restorable")

	s.Group(t, "made after the backup")
	code, out = runTool(t, env, "backup", "check", "latest")
	require.Equal(t, 0, code, out)
	require.Regexp(t, `differs from the live server \(changes since the backup are normal\): groups (\d+) in the backup, (\d+) live`, out)
	require.Contains(t, out, "verdict:  restorable")

	// The data directory alone: the key in management.json is missing.
	keyless := t.TempDir()
	env = toolEnv(s.URL, "NB_API_KEY="+auditor, "BACKUP_PATHS="+s.DataDir, "BACKUP_DIR="+keyless, "BACKUP_ZIP_PASSWORD=e2e backup passphrase")
	code, out = runTool(t, env, "backup", "volumes", "--out", keyless)
	require.Equal(t, 0, code, out)
	code, out = runTool(t, env, "backup", "check", "latest")
	require.Equal(t, 1, code, "not restorable: %s", out)
	require.Contains(t, out, "the archive has store.db but no store encryption key", out)
	require.Contains(t, out, "encrypts users' names and e-mails in store.db")
	require.NotContains(t, out, "verdict:  restorable\n")
}
