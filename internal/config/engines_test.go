package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTheStoreEnginesAreReadFromNetBirdsConfiguration(t *testing.T) {
	dir := t.TempDir()
	mj := filepath.Join(dir, "management.json")
	require.NoError(t, os.WriteFile(mj, []byte(`{"StoreConfig":{"Engine":"postgres"},"DataStoreEncryptionKey":"x"}`), 0o600))
	e, err := StoreEngines(mj)
	require.NoError(t, err)
	require.Equal(t, Engines{Store: "postgres", StoreFrom: "management.json StoreConfig.Engine"}, e)
	require.True(t, e.Postgres())

	cy := filepath.Join(dir, "config.yaml")
	require.NoError(t, os.WriteFile(cy, []byte("server:\n  store:\n    engine: sqlite\n  activityStore:\n    engine: Postgres\n    dsn: postgres://x\n"), 0o600))
	e, err = StoreEngines(cy)
	require.NoError(t, err)
	require.Equal(t, "sqlite", e.Store)
	require.Equal(t, "postgres", e.Activity)
	require.Equal(t, "config.yaml server.activityStore.engine", e.ActivityFrom)

	t.Setenv("NB_ACTIVITY_EVENT_STORE_ENGINE", "sqlite")
	e, _ = StoreEngines(cy)
	require.Equal(t, Engines{Store: "sqlite", StoreFrom: "config.yaml server.store.engine", Activity: "sqlite", ActivityFrom: "NB_ACTIVITY_EVENT_STORE_ENGINE"}, e, "NetBird's variable wins, as in NetBird")
	require.False(t, e.Postgres())
}

// The standby clone copies SQLite files: a NetBird on Postgres is refused
// with a pointer to Postgres's own replication.
func TestTheCloneRefusesAStoreOnPostgres(t *testing.T) {
	dir := t.TempDir()
	mj := filepath.Join(dir, "management.json")
	require.NoError(t, os.WriteFile(mj, []byte(`{"StoreConfig":{"Engine":"postgres"}}`), 0o600))
	err := Clone{Keep: 1, Strict: "yes", Port: 22, ConfigFiles: List{mj}}.Validate()
	require.ErrorContains(t, err, "config: CLONE_CONFIG_FILES names a NetBird whose store is on postgres (management.json StoreConfig.Engine): the standby clone copies SQLite files; expected Postgres's own replication")
	require.NoError(t, os.WriteFile(mj, []byte(`{"StoreConfig":{"Engine":"sqlite"}}`), 0o600))
	require.NoError(t, Clone{Keep: 1, Strict: "yes", Port: 22, ConfigFiles: List{mj}}.Validate())
}
