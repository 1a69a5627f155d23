package sqlitefile

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// roMount bind-mounts dir read-only, as `volumes: - netbird_data:/backup:ro`
// does in compose. It needs root (the tests and CI run as root).
func roMount(t *testing.T, dir string) string {
	t.Helper()
	mnt := filepath.Join(t.TempDir(), "ro")
	require.NoError(t, os.MkdirAll(mnt, 0o755))
	if out, err := exec.Command("mount", "--bind", dir, mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot bind-mount here: %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", mnt, err, out)
		}
	})
	if out, err := exec.Command("mount", "-o", "remount,bind,ro", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot remount read-only here: %v %s", err, out)
	}
	return mnt
}

// liveWAL is a database in WAL mode held open by a writer (as NetBird holds
// store.db) with 10 committed rows still in the -wal file. The caller
// closes the writer (before any read-only mount of it goes away).
func liveWAL(t *testing.T) (dir, db string, writer *sql.DB) {
	t.Helper()
	dir = t.TempDir()
	db = filepath.Join(dir, "store.db")
	makeDB(t, db, 0)
	w, err := sql.Open("sqlite", "file:"+db+"?_pragma=journal_mode(wal)&_pragma=wal_autocheckpoint(0)")
	require.NoError(t, err)
	for i := range 10 {
		_, err := w.Exec("INSERT INTO peers(id, name) VALUES (?, 'x')", i+1)
		require.NoError(t, err)
	}
	return dir, db, w
}

// A live database in WAL mode (NetBird holding it open, its -wal and -shm
// present) seen through a read-only mount: the snapshot works and holds
// what was committed, the rows still in the WAL included.
func TestSnapshotOfALiveWALDatabaseOnAReadOnlyMount(t *testing.T) {
	dir, _, w := liveWAL(t)
	defer w.Close()
	mnt := roMount(t, dir)
	snap := filepath.Join(t.TempDir(), "snap.db")
	require.NoError(t, Snapshot(filepath.Join(mnt, "store.db"), snap))
	require.Equal(t, 10, countRows(t, snap), "the rows still in the WAL are in the snapshot")
}

// Why a byte copy is not a backup: with NetBird's database in WAL mode,
// committed transactions live in the -wal file until a checkpoint, so a copy
// of store.db alone silently lacks them (and a copy taken mid-checkpoint can
// be torn). The snapshot has them all.
func TestAPlainCopyOfALiveDatabaseLosesCommittedWrites(t *testing.T) {
	_, db, w := liveWAL(t)
	defer w.Close()
	raw, err := os.ReadFile(db)
	require.NoError(t, err)
	plain := filepath.Join(t.TempDir(), "copy.db")
	require.NoError(t, os.WriteFile(plain, raw, 0o600))
	require.Less(t, countRows(t, plain), 10, "the byte copy misses committed rows")

	snap := filepath.Join(t.TempDir(), "snap.db")
	require.NoError(t, Snapshot(db, snap))
	require.Equal(t, 10, countRows(t, snap))
}

func makeDB(t *testing.T, path string, rows int) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec("CREATE TABLE peers(id INTEGER PRIMARY KEY, name TEXT)")
	require.NoError(t, err)
	for i := range rows {
		_, err = db.Exec("INSERT INTO peers(id, name) VALUES (?, ?)", i+1, fmt.Sprint("p", i))
		require.NoError(t, err)
	}
}

func countRows(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	var n int
	require.NoError(t, db.QueryRow("SELECT count(*) FROM peers").Scan(&n))
	return n
}

// A store's rows are counted by table; a table it lacks is absent, and a
// file that is not SQLite is told apart by its header.
func TestTableCountsAndTheHeader(t *testing.T) {
	db := filepath.Join(t.TempDir(), "store.db")
	makeDB(t, db, 3)
	require.Equal(t, map[string]int{"peers": 3}, TableCounts(db))
	require.True(t, IsSQLite(db))
	other := filepath.Join(t.TempDir(), "management.json")
	require.NoError(t, os.WriteFile(other, []byte("{}"), 0o600))
	require.False(t, IsSQLite(other))
	require.NoError(t, IntegrityCheck(db))
}
