package clone

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// stagedStandby stages the primary with install.sh and pushes it to a
// real OpenSSH server on this machine, as `clone stage` will.
func stagedStandby(t *testing.T) (StagePlan, Standby) {
	t.Helper()
	c := dialStandby(t)
	plan := installPlan(t)
	plan.Images = nil // no registry here; pulling is the end-to-end test's part
	_, err := Stage(plan, &bytes.Buffer{})
	require.NoError(t, err)
	sb := Standby{Shell: c, Payload: filepath.Join(filepath.Dir(plan.Targets[0].Root), "incoming")}
	_, err = Push(context.Background(), c, plan.Dir, sb.Payload)
	require.NoError(t, err)
	return plan, sb
}

func TestInstallOverSSHPutsTheCloneIntoAStackWithSpacesInItsPath(t *testing.T) {
	plan, sb := stagedStandby(t)
	m, err := sb.Manifest()
	require.NoError(t, err)
	require.Equal(t, 2, m.Counts["peers"])
	var out bytes.Buffer
	require.NoError(t, sb.Install(context.Background(), plan.Targets[1], &out))
	require.Contains(t, out.String(), "payload verified")
	require.Contains(t, out.String(), "install of cold done")
	cold := plan.Targets[1].Root
	staged, _ := os.ReadFile(filepath.Join(plan.Dir, "db", "store.db"))
	got, err := os.ReadFile(filepath.Join(cold, "data", "netbird", "store.db"))
	require.NoError(t, err)
	require.Equal(t, staged, got)
}

func TestInstallRefusesWhenNothingIsStaged(t *testing.T) {
	sb := Standby{Shell: dialStandby(t), Payload: filepath.Join(t.TempDir(), "incoming")}
	err := sb.Install(context.Background(), Target{Name: "cold"}, &bytes.Buffer{})
	require.True(t, errors.Is(err, ErrNothingStaged), err)
	require.EqualError(t, err, "nothing staged on the standby — run 'birdseye clone stage' first")
}

// A damaged payload is refused before anything changes: no rollback is
// advised (it would put an older snapshot in place of a good store).
func TestInstallOfADamagedPayloadIsRefusedAndSaysNothingChanged(t *testing.T) {
	plan, sb := stagedStandby(t)
	require.NoError(t, os.WriteFile(filepath.Join(sb.Payload, "db", "store.db"), []byte("damaged in transit"), 0o600))
	var out bytes.Buffer
	err := sb.Install(context.Background(), plan.Targets[1], &out)
	require.ErrorContains(t, err, "install refused for cold, nothing on the standby was changed")
	require.ErrorContains(t, err, "it said: payload is damaged", "the remote cause is in the error")
	require.NotContains(t, err.Error(), "roll back")
	require.Contains(t, out.String(), "payload is damaged")
	require.NoDirExists(t, filepath.Join(plan.Targets[1].Root, "data"), "nothing was installed")
}
