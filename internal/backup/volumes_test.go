package backup

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/archive"
	"github.com/styliteag/birdseye/internal/sqlitefile"
)

const pass = "a long backup passphrase"

func mkfile(t *testing.T, path, body string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(body), 0o640))
}

func TestArchiveNames(t *testing.T) {
	now := time.Date(2026, 11, 23, 3, 0, 5, 0, time.FixedZone("CET", 3600))
	require.Equal(t, "netbird-backup-20261123T020005Z.zip", ArchiveName("netbird", "", now, Options{}.Ext()))
	require.Equal(t, "netbird-prod-20261123T020005Z.zip", ArchiveName("netbird", "prod", now, ".zip"))
	require.Equal(t, "netbirdexport-export-20261123T020005Z.zip", ArchiveName("netbirdexport", "", now, ".zip"))
	require.Equal(t, "netbird-prod-20261123T020005Z.tar.gz.age", ArchiveName("netbird", "prod", now, Options{Age: true}.Ext()))
}

func TestSourcesExpandWildcardsAndNameWhatMatchesNothing(t *testing.T) {
	root := t.TempDir()
	mkfile(t, filepath.Join(root, "mgmt", "a"), "x")
	mkfile(t, filepath.Join(root, "signal", "b"), "x")
	srcs, err := Sources([]string{filepath.Join(root, "*")})
	require.NoError(t, err)
	require.Len(t, srcs, 2)
	_, err = Sources([]string{filepath.Join(root, "mgmt"), filepath.Join(root, "nope*")})
	require.ErrorContains(t, err, `BACKUP_PATHS entry "`+filepath.Join(root, "nope*")+`" matches nothing`)
	mkfile(t, filepath.Join(root, "other", "mgmt", "c"), "x")
	_, err = Sources([]string{filepath.Join(root, "mgmt"), filepath.Join(root, "other", "mgmt")})
	require.ErrorContains(t, err, `both end in "mgmt" and would collide`)
}

func TestVolumesArchiveRestoresWithSevenZip(t *testing.T) {
	root := t.TempDir()
	mkfile(t, filepath.Join(root, "management", "management.json"), `{"DataStoreEncryptionKey":"abc"}`)
	mkfile(t, filepath.Join(root, "management", "GeoLite2-City_20261101.mmdb"), "big geo db")
	mkfile(t, filepath.Join(root, "management", "sub", "notes.txt"), "hello")
	db := filepath.Join(root, "management", "store.db")
	makeDB(t, db, 50)
	out := t.TempDir()
	r, err := Volumes(t.Context(), Options{Paths: []string{filepath.Join(root, "management")}, Exclude: []string{"geo*"}, Password: pass, OutDir: out}, time.Now())
	require.NoError(t, err)
	require.Equal(t, []string{"management/store.db"}, r.Snapshots)
	require.Empty(t, r.Warnings)

	entries, err := archive.Verify(r.File, pass)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name)
	}
	require.NotContains(t, names, "management/GeoLite2-City_20261101.mmdb", "BACKUP_EXCLUDE is case-insensitive")
	require.Contains(t, names, "management/sub/notes.txt")

	sz, err := exec.LookPath("7z")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("7z missing in CI")
		}
		t.Skip("skipped: 7z not installed")
	}
	restore := t.TempDir()
	res, err := exec.Command(sz, "x", "-y", "-p"+pass, "-o"+restore, r.File).CombinedOutput()
	require.NoError(t, err, "%s", res)
	got, _ := os.ReadFile(filepath.Join(restore, "management", "sub", "notes.txt"))
	require.Equal(t, "hello", string(got))
	require.NoError(t, sqlitefile.IntegrityCheck(filepath.Join(restore, "management", "store.db")))
	require.Equal(t, 50, countRows(t, filepath.Join(restore, "management", "store.db")))
}

func TestAStoreWithoutItsKeyIsWarnedAbout(t *testing.T) {
	root := t.TempDir()
	makeDB(t, filepath.Join(root, "data", "store.db"), 1)
	r, err := Volumes(t.Context(), Options{Paths: []string{filepath.Join(root, "data")}, Password: pass, OutDir: t.TempDir()}, time.Now())
	require.NoError(t, err)
	require.Len(t, r.Warnings, 1)
	require.Contains(t, r.Warnings[0], "no store encryption key")
}

// A database written to all the time while it is backed up: the snapshot
// is a consistent prefix of the writes and passes integrity_check.
func TestALiveDatabaseIsSnapshottedConsistently(t *testing.T) {
	root := t.TempDir()
	db := filepath.Join(root, "data", "store.db")
	makeDB(t, db, 0)
	w, err := sql.Open("sqlite", "file:"+db+"?_pragma=journal_mode(wal)&_pragma=busy_timeout(10000)")
	require.NoError(t, err)
	defer w.Close()
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	var written atomic.Int64
	wg.Go(func() {
		for i := 1; ctx.Err() == nil; i++ {
			// Each transaction writes two rows that belong together.
			tx, err := w.Begin()
			if err != nil {
				continue
			}
			tx.Exec("INSERT INTO peers(id, name) VALUES (?, ?)", 2*i, fmt.Sprintf("peer-%d-a", i))
			tx.Exec("INSERT INTO peers(id, name) VALUES (?, ?)", 2*i+1, fmt.Sprintf("peer-%d-b", i))
			if tx.Commit() == nil {
				written.Add(1)
			}
		}
	})
	for written.Load() < 20 {
		time.Sleep(time.Millisecond)
	}
	r, err := Volumes(t.Context(), Options{Paths: []string{filepath.Join(root, "data")}, Password: pass, OutDir: t.TempDir()}, time.Now())
	cancel()
	wg.Wait()
	require.NoError(t, err)
	restore := t.TempDir()
	_, err = archive.Extract(r.File, pass, restore)
	require.NoError(t, err)
	snap := filepath.Join(restore, "data", "store.db")
	require.NoError(t, sqlitefile.IntegrityCheck(snap))
	n := countRows(t, snap)
	require.Positive(t, n)
	require.Zero(t, n%2, "whole transactions only: %d rows", n)
	_, err = os.Stat(filepath.Join(restore, "data", "store.db-wal"))
	require.True(t, os.IsNotExist(err), "the WAL is folded into the snapshot, not archived beside it")
	t.Logf("snapshot holds %d of %d committed transactions", n/2, written.Load())
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

func TestInspectChecksDatabasesAndTheKey(t *testing.T) {
	root := t.TempDir()
	makeDB(t, filepath.Join(root, "data", "store.db"), 3)
	makeDB(t, filepath.Join(root, "data", "events.db"), 2)
	r, err := Volumes(t.Context(), Options{Paths: []string{filepath.Join(root, "data")}, Password: pass, OutDir: t.TempDir()}, time.Now())
	require.NoError(t, err)
	in, err := Inspect(r.File, Key{Password: pass})
	require.NoError(t, err)
	require.Len(t, in.Databases, 2)
	for name, ierr := range in.Databases {
		require.NoError(t, ierr, name)
	}
	require.Len(t, in.Warnings, 1)
	require.Contains(t, in.Warnings[0], "no store encryption key")
	_, err = Inspect(r.File, Key{Password: "wrong password!"})
	require.ErrorIs(t, err, archive.ErrWrongPassword)
}

func TestAPostgresStoreIsPointedOut(t *testing.T) {
	root := t.TempDir()
	mkfile(t, filepath.Join(root, "mgmt", "management.json"), `{"DataStoreEncryptionKey":"k","StoreConfig":{"Engine":"postgres"}}`)
	r, err := Volumes(t.Context(), Options{Paths: []string{filepath.Join(root, "mgmt")}, Password: pass, OutDir: t.TempDir()}, time.Now())
	require.NoError(t, err)
	require.Len(t, r.Warnings, 1)
	require.Contains(t, r.Warnings[0], "NetBird's store is Postgres")
	require.Contains(t, r.Warnings[0], "pg_dump")
}

// SQLite deletes its -shm and -wal files while the walk is on its way to
// them, and another file goes too: the backup goes on, the database is in
// it, the vanished data file is named in a warning.
func TestFilesThatVanishDuringTheWalkAreNotFatal(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	makeDB(t, filepath.Join(data, "store.db"), 3)
	mkfile(t, filepath.Join(data, "store.db-shm"), "shm")
	mkfile(t, filepath.Join(data, "store.db-wal"), "wal")
	mkfile(t, filepath.Join(data, "zz-gone.log"), "log")
	mkfile(t, filepath.Join(data, "management.json"), `{"DataStoreEncryptionKey":"k"}`)
	defer func(old func(string)) { walked = old }(walked)
	walked = func(path string) {
		if filepath.Base(path) == "store.db" { // the walk has listed the directory already
			for _, gone := range []string{"store.db-shm", "store.db-wal", "zz-gone.log"} {
				require.NoError(t, os.Remove(filepath.Join(data, gone)))
			}
		}
	}
	out := t.TempDir()
	r, err := Volumes(t.Context(), Options{Paths: []string{data}, Password: pass, OutDir: out}, time.Now())
	require.NoError(t, err)
	require.Equal(t, []string{"data/store.db"}, r.Snapshots)
	require.Equal(t, []string{filepath.Join(data, "zz-gone.log") + " vanished during the backup; not archived"}, r.Warnings)
}
