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
}

func TestRollbackWithoutASnapshotSaysSo(t *testing.T) {
	plan, sb := stagedStandby(t)
	err := sb.Rollback(context.Background(), plan.Targets[1], &bytes.Buffer{})
	require.ErrorContains(t, err, "rollback of cold FAILED")
	require.ErrorContains(t, err, "exited with status 3")
}
