package clone

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRollbackRestoresWhatTheStandbyHadBeforeTheInstall(t *testing.T) {
	plan, sb := stagedStandby(t)
	cold := plan.Targets[1].Root
	require.NoError(t, os.MkdirAll(filepath.Join(cold, "data", "netbird"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(cold, "data", "netbird", "store.db"), []byte("before"), 0o600))
	require.NoError(t, sb.Install(context.Background(), plan.Targets[1], &bytes.Buffer{}))
	installed, _ := os.ReadFile(filepath.Join(cold, "data", "netbird", "store.db"))
	require.NotEqual(t, "before", string(installed))
	require.NoError(t, os.WriteFile(filepath.Join(cold, "data", "netbird", "store.db-wal"), []byte("wal of the clone"), 0o600))

	var out bytes.Buffer
	require.NoError(t, sb.Rollback(context.Background(), plan.Targets[1], &out))
	require.Contains(t, out.String(), "rolling cold back to "+filepath.Join(cold, "snapshots"))
	require.Contains(t, out.String(), "not in the snapshot, left as installed: management.json", "the standby had no config before")
	got, _ := os.ReadFile(filepath.Join(cold, "data", "netbird", "store.db"))
	require.Equal(t, "before", string(got))
	require.NoFileExists(t, filepath.Join(cold, "data", "netbird", "store.db-wal"))

	// What the rollback replaced is kept as a snapshot too, and the record
	// says what is in place now.
	kept, err := filepath.Glob(filepath.Join(cold, "snapshots", "*-before-rollback", "store.db"))
	require.NoError(t, err)
	require.Len(t, kept, 1)
	b, _ := os.ReadFile(kept[0])
	require.Equal(t, installed, b, "the installed clone is not lost")
	record, _ := os.ReadFile(filepath.Join(cold, InstalledMark))
	require.Contains(t, string(record), "installed=unknown", "the snapshot came from before any install birdseye recorded")
	require.Contains(t, string(record), "rolled_back=")

	// A target failover.sh made live is not rolled back unless told.
	require.NoError(t, os.WriteFile(filepath.Join(cold, LiveMark), []byte("2026-12-05T15:00:00Z\n"), 0o600))
	err = sb.Rollback(context.Background(), plan.Targets[1], &bytes.Buffer{})
	require.ErrorContains(t, err, "cold is the live server since 2026-12-05T15:00:00Z (failover.sh ran there): a rollback would stop it or replace its store; nothing on the standby was changed")
	got, _ = os.ReadFile(filepath.Join(cold, "data", "netbird", "store.db"))
	require.Equal(t, "before", string(got))
	sb.AfterFailover = true
	require.NoError(t, sb.Rollback(context.Background(), plan.Targets[1], &bytes.Buffer{}), "told explicitly")
}

func TestRollbackWithoutASnapshotSaysSo(t *testing.T) {
	plan, sb := stagedStandby(t)
	err := sb.Rollback(context.Background(), plan.Targets[1], &bytes.Buffer{})
	require.ErrorContains(t, err, "rollback of cold refused, nothing on the standby was changed")
	require.ErrorContains(t, err, "exited with status 3")
}
