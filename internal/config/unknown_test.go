package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMisspeltVariablesAreNamedWithTheClosestKnownOne(t *testing.T) {
	got := Unknown([]string{
		"POLL_INTERVALL=5", "MATERMOST_WEBHOOK_URL=https://x", "NB_API_KY=nbp", "SMTP_PASWORD=x",
		"NB_API_KEY=nbp_ok", "NB_API_KEY_FILE=/run/secrets/k", "PATH=/bin", "HOME=/root", "NB_DISABLE_GEOLOCATION=true",
		"WEBHOOK_SECRETS=x", "HOSTNAME=abc",
	})
	require.Equal(t, []Warning{
		{Var: "MATERMOST_WEBHOOK_URL", Msg: "is set but birdseye has no such variable; it is ignored (did you mean MATTERMOST_WEBHOOK_URL?)"},
		{Var: "NB_API_KY", Msg: "is set but birdseye has no such variable; it is ignored (did you mean NB_API_KEY?)"},
		{Var: "POLL_INTERVALL", Msg: "is set but birdseye has no such variable; it is ignored (did you mean POLL_INTERVAL?)"},
		{Var: "SMTP_PASWORD", Msg: "is set but birdseye has no such variable; it is ignored (did you mean SMTP_PASSWORD?)"},
		{Var: "WEBHOOK_SECRETS", Msg: "is set but birdseye has no such variable; it is ignored (did you mean WEBHOOK_SECRET?)"},
	}, got, "other programs' variables and NetBird's own NB_ ones are left alone")
}

// Every job of the Python tool is birdseye's own now: its variables get
// no warning, a misspelt one does; a clone target's variables are known
// when CLONE_TARGETS names the target.
func TestThePythonToolsJobVariablesAreKnownAndTheirTyposNamed(t *testing.T) {
	got := Unknown([]string{"CRON_CLONE_STANDBY=0 * * * *", "CLONE_SSH_HOST=standby", "MIRROR_URL=https://b", "MIRROR_API_KEY=nbp", "CHECKMK_SPOOL_DIR=/var/lib/check_mk_agent/spool",
		"CRON_BACKUP_OFFSITE=0 4 * * *", "OFFSITE_SSH_HOST=backup@vault", "OFFSITE_KEPP=7",
		"CLONE_TARGETS=hot,cold-2", "CLONE_HOT_ROOT=/opt/hot", "CLONE_COLD_2_AUTOSTART=no", "CLONE_WARM_ROOT=/opt/warm", "CLONE_PRIMRY_HOST=nb.example.com", "CLONE_KEEP_SNAPSHOT=2"})
	require.Equal(t, []Warning{
		{Var: "CLONE_KEEP_SNAPSHOT", Msg: "is set but birdseye has no such variable; it is ignored (did you mean CLONE_KEEP_SNAPSHOTS?)"},
		{Var: "CLONE_PRIMRY_HOST", Msg: "is set but birdseye has no such variable; it is ignored (did you mean CLONE_PRIMARY_HOST?)"},
		{Var: "CLONE_WARM_ROOT", Msg: "is set but CLONE_TARGETS names no such target; it is ignored"},
		{Var: "OFFSITE_KEPP", Msg: "is set but birdseye has no such variable; it is ignored (did you mean OFFSITE_KEEP?)"},
	}, got)
}

func TestADotEnvWithAByteOrderMarkKeepsItsFirstLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	require.NoError(t, os.WriteFile(path, []byte("\ufeffPOLL_INTERVAL=7\r\nTZ=Europe/Berlin\n"), 0o600))
	t.Setenv("POLL_INTERVAL", "")
	os.Unsetenv("POLL_INTERVAL")
	t.Setenv("TZ", "")
	os.Unsetenv("TZ")
	require.NoError(t, LoadDotEnv(path))
	require.Equal(t, "7", os.Getenv("POLL_INTERVAL"))
	require.Equal(t, "Europe/Berlin", os.Getenv("TZ"))
}
