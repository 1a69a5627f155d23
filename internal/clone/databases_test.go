package clone

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"
)

// store writes a small NetBird-like store with the given row counts.
func store(t *testing.T, path string, rows map[string]int) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	defer db.Close()
	for table, n := range rows {
		_, err := db.Exec(`CREATE TABLE "` + table + `" (id TEXT)`)
		require.NoError(t, err)
		for i := 0; i < n; i++ {
			_, err := db.Exec(`INSERT INTO "`+table+`" VALUES (?)`, i)
			require.NoError(t, err)
		}
	}
}

func TestSnapshotDatabasesStagesConsistentPrivateCopiesAndCounts(t *testing.T) {
	src, stage := t.TempDir(), t.TempDir()
	store(t, filepath.Join(src, "store.db"), map[string]int{"accounts": 1, "peers": 3, "groups": 2})
	store(t, filepath.Join(src, "events.db"), map[string]int{"events": 7, "peers": 9})
	dbs, err := SnapshotDatabases([]string{filepath.Join(src, "store.db"), filepath.Join(src, "events.db")}, stage, map[string]int{"accounts": 1, "peers": 1})
	require.NoError(t, err)
	require.Equal(t, 3, dbs.Counts["peers"], "the first database holding a table wins")
	require.Equal(t, 1, dbs.Counts["accounts"])
	require.Len(t, dbs.Files, 2)
	for _, f := range dbs.Files {
		fi, err := os.Stat(filepath.Join(stage, "db", f.Name))
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
		require.Equal(t, fi.Size(), f.Bytes)
	}
	var out bytes.Buffer
	dbs.Text(&out)
	require.Contains(t, out.String(), "  store.db ")
	require.Contains(t, out.String(), "integrity ok")
	require.Contains(t, out.String(), "holds: 1 accounts, 2 groups, 3 peers")
}

func TestSnapshotDatabasesRefusesAnEmptyStore(t *testing.T) {
	src := t.TempDir()
	store(t, filepath.Join(src, "store.db"), map[string]int{"accounts": 1, "peers": 0})
	_, err := SnapshotDatabases([]string{filepath.Join(src, "store.db")}, t.TempDir(), map[string]int{"accounts": 1, "peers": 1})
	require.EqualError(t, err, "snapshot fails CLONE_MIN_ROWS: peers=0, expected at least 1")
}

func TestSnapshotDatabasesRefusesTwoDatabasesWithOneName(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	store(t, filepath.Join(a, "store.db"), map[string]int{"accounts": 1})
	store(t, filepath.Join(b, "store.db"), map[string]int{"accounts": 1})
	_, err := SnapshotDatabases([]string{filepath.Join(a, "store.db"), filepath.Join(b, "store.db")}, t.TempDir(), nil)
	require.ErrorContains(t, err, "share the name store.db")
}

func TestSnapshotDatabasesNamesAMissingDatabase(t *testing.T) {
	_, err := SnapshotDatabases([]string{"/nonexistent/store.db"}, t.TempDir(), nil)
	require.ErrorContains(t, err, "CLONE_DB_PATHS")
	require.ErrorContains(t, err, "/nonexistent/store.db")
	_, err = SnapshotDatabases(nil, t.TempDir(), nil)
	require.EqualError(t, err, "CLONE_DB_PATHS is not set — nothing to clone")
}

func TestSnapshotDatabasesRefusesACorruptDatabase(t *testing.T) {
	src := t.TempDir()
	p := filepath.Join(src, "store.db")
	require.NoError(t, os.WriteFile(p, bytes.Repeat([]byte("not a database "), 400), 0o600))
	_, err := SnapshotDatabases([]string{p}, t.TempDir(), nil)
	require.Error(t, err)
}
