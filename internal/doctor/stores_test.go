package doctor

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/config"
)

func storesSay(t *testing.T, cfg *config.Config) []Result {
	var out []Result
	checkStores(cfg, func(r Result) { out = append(out, r) })
	return out
}

func TestDoctorSaysWhichEngineEachStoreUsesAndWhatThatMeans(t *testing.T) {
	dir := t.TempDir()
	mj := filepath.Join(dir, "management.json")
	cfg := &config.Config{Events: config.Events{Source: "api", KeyFrom: mj}}

	require.Empty(t, storesSay(t, &config.Config{}), "nothing tells: nothing said")

	require.NoError(t, os.WriteFile(mj, []byte(`{"StoreConfig":{"Engine":"sqlite"}}`), 0o600))
	require.Equal(t, []Result{{OK, "NetBird stores", "store sqlite (management.json StoreConfig.Engine), activity store sqlite (NetBird's default)", ""}}, storesSay(t, cfg))

	t.Setenv("NB_ACTIVITY_EVENT_STORE_ENGINE", "postgres")
	r := storesSay(t, cfg)
	require.Equal(t, OK, r[0].Status)
	require.Contains(t, r[0].Hint, "EVENTS_SOURCE=db can read the events from that database")

	cfg.Events = config.Events{Source: "db", KeyFrom: mj, DB: "/netbird-data/events.db"}
	r = storesSay(t, cfg)
	require.Equal(t, Fail, r[0].Status)
	require.Contains(t, r[0].Detail, "activity store postgres (NB_ACTIVITY_EVENT_STORE_ENGINE): EVENTS_SOURCE=db reads a file, which this server does not write")
	cfg.Events.DB = "postgres://birdseye:pw@db/netbird"
	require.Equal(t, OK, storesSay(t, cfg)[0].Status)

	require.NoError(t, os.WriteFile(mj, []byte(`{"StoreConfig":{"Engine":"postgres"}}`), 0o600))
	r = storesSay(t, cfg)
	require.Equal(t, Warn, r[0].Status)
	require.Contains(t, r[0].Detail, "the volume backup and the standby clone copy SQLite files, none of this database")
	require.Contains(t, r[0].Hint, "set BACKUP_POSTGRES to the Postgres container")
	cfg.Backup.Postgres = "netbird-postgres-1"
	r = storesSay(t, cfg)
	require.Equal(t, OK, r[0].Status)
	require.Contains(t, r[0].Detail, "the volume backup holds pg_dump's dump of netbird-postgres-1's databases")
}
