package clone

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/sshremote"
	"github.com/styliteag/birdseye/internal/sshremote/sshtest"
)

// doctor's look at the clone over a real sshd: before anything is staged
// it says so; after a push it names the staging; a missing database here
// and a changed host key there are failures that name the cause.
func TestCheckSaysWhatIsStagedAndInstalledWithoutChangingAnything(t *testing.T) {
	if exec.Command("sh", "-c", "docker compose version || docker-compose version").Run() != nil {
		t.Skip("skipped: no docker compose CLI here (the standby needs one)")
	}
	s := sshtest.Start(t)
	_, plan := primary(t)
	standby := t.TempDir()
	plan.Targets = []Target{{Name: "cold", Root: filepath.Join(standby, "cold"), Project: "cold", Compose: "docker-compose.yml", Host: "nb.example.com", DBDir: "data/netbird"}}
	plan.Failover = plan.Targets[0]
	o := Options{Plan: plan, Payload: filepath.Join(standby, "cold", "incoming"), Remote: sshremote.Config{Host: "root@127.0.0.1", Port: s.Port,
		KeyFile: s.ClientKey, KnownHosts: filepath.Join(t.TempDir(), "known_hosts"), Strict: sshremote.StrictAcceptNew}}

	msg, err := Check(t.Context(), o)
	require.NoError(t, err)
	require.Regexp(t, `^127\.0\.0\.1:\d+: connected; bash, sha256sum and docker compose there; nothing staged on the standby — run 'birdseye clone stage' first; failover target cold has nothing installed yet$`, msg)
	require.NoDirExists(t, o.Payload, "nothing created")

	c, err := o.Dial(t.Context())
	require.NoError(t, err)
	_, err = Stage(plan, &bytes.Buffer{})
	require.NoError(t, err)
	_, err = Push(t.Context(), c, plan.Dir, o.Payload)
	require.NoError(t, err)
	c.Close()
	msg, err = Check(t.Context(), o)
	require.NoError(t, err)
	require.Contains(t, msg, "staged "+plan.Now.Format("2006-01-02T15:04:05")+"")

	bad := o
	bad.Plan.DBPaths = []string{filepath.Join(t.TempDir(), "gone.db")}
	_, err = Check(t.Context(), bad)
	require.ErrorContains(t, err, "CLONE_DB_PATHS: "+bad.Plan.DBPaths[0]+" is not here")

	s.NewHostKey(t)
	_, err = Check(t.Context(), o)
	require.ErrorContains(t, err, "has CHANGED")
}
