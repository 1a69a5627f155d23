package offsite

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/sshremote"
	"github.com/styliteag/birdseye/internal/sshremote/sshtest"
)

var stamp = time.Date(2026, 11, 29, 3, 15, 0, 0, time.UTC)

// netbirdDir lays out what an operator backs up: the compose files, the
// management config, a GeoLite file named by date, the store (a live
// SQLite database in WAL mode with its -wal file) and a cache to exclude.
func netbirdDir(t *testing.T) (dir, db string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "netbird")
	for name, body := range map[string]string{
		"compose/docker-compose.yml":       "services: {}\n",
		"compose/.env":                     "NB_URL=https://nb.example.com\n",
		"data/management.json":             `{"Stuns":[]}`,
		"data/GeoLite2-City_20261101.mmdb": "geo",
		"data/cache/big.tmp":               "not wanted",
	} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	db = filepath.Join(dir, "data", "store.db")
	w := openDB(t, db)
	_, err := w.Exec(`CREATE TABLE events (id INTEGER PRIMARY KEY, body TEXT)`)
	require.NoError(t, err)
	for range 50 {
		_, err := w.Exec(`INSERT INTO events (body) VALUES (?)`, strings.Repeat("x", 500))
		require.NoError(t, err)
	}
	return dir, db
}

func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(wal)&_pragma=busy_timeout(10000)&_pragma=wal_autocheckpoint(0)")
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func options(t *testing.T, s *sshtest.Server, dir, db string) Options {
	t.Helper()
	return Options{
		Remote: sshremote.Config{
			Host: "root@127.0.0.1", Port: s.Port, KeyFile: s.ClientKey,
			KnownHosts: filepath.Join(t.TempDir(), "known_hosts"), Strict: sshremote.StrictAcceptNew,
		},
		RemoteDir: filepath.Join(t.TempDir(), "offsite", "nb1"),
		Paths:     []string{filepath.Join(dir, "compose"), filepath.Join(dir, "data", "*")},
		DBPaths:   []string{db},
		Exclude:   []string{"cache"},
		Prefix:    "config-backup",
		Keep:      14,
		WorkDir:   filepath.Join(t.TempDir(), "work"),
		Loc:       time.UTC,
	}
}

func remoteFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func untar(t *testing.T, archive string) string {
	t.Helper()
	out := t.TempDir()
	res, err := exec.Command("tar", "xzf", archive, "-C", out).CombinedOutput()
	require.NoError(t, err, string(res))
	return out
}

func integrity(t *testing.T, path string) (string, int) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	var ok string
	var n int
	require.NoError(t, db.QueryRow(`PRAGMA integrity_check`).Scan(&ok))
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM events`).Scan(&n))
	return ok, n
}

func TestShipsAnArchiveThatPlainTarRestores(t *testing.T) {
	s := sshtest.Start(t)
	dir, db := netbirdDir(t)
	o := options(t, s, dir, db)
	var out bytes.Buffer
	r, err := Run(t.Context(), o, stamp, &out)
	require.NoError(t, err, out.String())

	require.Equal(t, "config-backup-20261129-031500.tar.gz", r.Name)
	require.Equal(t, []string{r.Name}, remoteFiles(t, o.RemoteDir), "the archive under its final name, no partial file")
	fi, _ := os.Stat(filepath.Join(o.RemoteDir, r.Name))
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	di, _ := os.Stat(o.RemoteDir)
	require.Equal(t, os.FileMode(0o700), di.Mode().Perm())
	require.Contains(t, out.String(), "snapshot data/store.db: ")
	require.Contains(t, out.String(), "verified on the remote (sha256sum and tar there): sha256 matches, archive lists cleanly")
	require.Contains(t, out.String(), "1 archives, ")

	listing, err := exec.Command("tar", "tzf", filepath.Join(o.RemoteDir, r.Name)).Output()
	require.NoError(t, err)
	require.Equal(t, r.Members, strings.Count(string(listing), "\n"))
	require.Equal(t, 1, strings.Count(string(listing), "data/store.db\n"), "the database once, as its snapshot")
	require.NotContains(t, string(listing), "store.db-wal", "the live database's sidecars are not archived")
	require.NotContains(t, string(listing), "cache", "OFFSITE_EXCLUDE")

	got := untar(t, filepath.Join(o.RemoteDir, r.Name))
	for _, name := range []string{"compose/docker-compose.yml", "compose/.env", "data/management.json", "data/GeoLite2-City_20261101.mmdb"} {
		want, _ := os.ReadFile(filepath.Join(dir, name))
		have, err := os.ReadFile(filepath.Join(got, name))
		require.NoError(t, err, name)
		require.Equal(t, want, have, name)
	}
	ok, n := integrity(t, filepath.Join(got, "data", "store.db"))
	require.Equal(t, "ok", ok)
	require.Equal(t, 50, n, "the rows still only in the -wal file are in the snapshot")
	_, err = os.Stat(o.WorkDir)
	require.True(t, os.IsNotExist(err), "the work directory is removed")
}

func TestTheSnapshotIsConsistentWhileTheDatabaseIsWritten(t *testing.T) {
	s := sshtest.Start(t)
	dir, db := netbirdDir(t)
	o := options(t, s, dir, db)
	w := openDB(t, db)
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			w.Exec(`INSERT INTO events (body) VALUES (?)`, strings.Repeat("y", 2000))
		}
	}()
	var r Result
	var err error
	for i := range 3 {
		r, err = Run(t.Context(), o, stamp.Add(time.Duration(i)*time.Second), &bytes.Buffer{})
		require.NoError(t, err)
	}
	stop.Store(true)
	wg.Wait()
	ok, n := integrity(t, filepath.Join(untar(t, filepath.Join(o.RemoteDir, r.Name)), "data", "store.db"))
	require.Equal(t, "ok", ok)
	require.GreaterOrEqual(t, n, 50)
}

func TestPrunesOnlyTheArchivesOfItsPrefix(t *testing.T) {
	s := sshtest.Start(t)
	dir, db := netbirdDir(t)
	o := options(t, s, dir, db)
	o.Keep = 2
	require.NoError(t, os.MkdirAll(o.RemoteDir, 0o700))
	others := []string{
		"other-20200101-000000.tar.gz", "config-backup-notes.txt",
		"config-backup-20200104-000000.tar.gz.keep", "config-backup-eu-20200101-000000.tar.gz",
	}
	old := []string{"config-backup-20200101-000000.tar.gz", "config-backup-20200102-000000.tar.gz", "config-backup-20200103-000000.tar.gz"}
	for _, f := range append(append([]string{}, others...), old...) {
		require.NoError(t, os.WriteFile(filepath.Join(o.RemoteDir, f), []byte("x"), 0o600))
	}
	var out bytes.Buffer
	r, err := Run(t.Context(), o, stamp, &out)
	require.NoError(t, err)
	require.Equal(t, []string{"config-backup-20200102-000000.tar.gz", "config-backup-20200101-000000.tar.gz"}, r.Pruned)
	require.Contains(t, out.String(), "pruned 2 beyond the last 2: config-backup-20200102-000000.tar.gz, config-backup-20200101-000000.tar.gz")
	want := append(append([]string{}, others...), r.Name, old[2])
	sort.Strings(want)
	require.Equal(t, want, remoteFiles(t, o.RemoteDir), "nothing but this prefix's archives is touched")

	list, err := List(t.Context(), o)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, r.Name, list[0].Name, "newest first")
	require.Equal(t, r.Size, list[0].Size)
}

func TestAChangedHostKeyIsRefusedAndNothingShipped(t *testing.T) {
	s := sshtest.Start(t)
	dir, db := netbirdDir(t)
	o := options(t, s, dir, db)
	_, err := Run(t.Context(), o, stamp, &bytes.Buffer{})
	require.NoError(t, err, "accept-new learns the key on first contact")
	s.NewHostKey(t)
	for i, strict := range []string{sshremote.StrictAcceptNew, sshremote.StrictYes} {
		o.Remote.Strict = strict
		_, err = Run(t.Context(), o, stamp.Add(time.Duration(i+1)*time.Hour), &bytes.Buffer{})
		require.ErrorIs(t, err, sshremote.ErrHostKey, strict)
	}
	require.Len(t, remoteFiles(t, o.RemoteDir), 1)
}

func TestAWrongClientKeyIsRefused(t *testing.T) {
	s := sshtest.Start(t)
	dir, db := netbirdDir(t)
	o := options(t, s, dir, db)
	o.Remote.KeyFile = filepath.Join(t.TempDir(), "stranger")
	res, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", o.Remote.KeyFile).CombinedOutput()
	require.NoError(t, err, string(res))
	_, err = Run(t.Context(), o, stamp, &bytes.Buffer{})
	require.ErrorContains(t, err, "unable to authenticate")
	_, err = os.Stat(o.RemoteDir)
	require.True(t, os.IsNotExist(err))
}

// A remote disk that fills up mid-transfer fails the run and leaves no
// partial file behind (a 64 KiB tmpfs as the remote directory).
func TestARemoteThatFillsUpLeavesNoPartialFile(t *testing.T) {
	s := sshtest.Start(t)
	dir, db := netbirdDir(t)
	o := options(t, s, dir, db)
	require.NoError(t, os.MkdirAll(o.RemoteDir, 0o700))
	if res, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", o.RemoteDir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, res)
	}
	t.Cleanup(func() { exec.Command("umount", o.RemoteDir).Run() })
	noise := make([]byte, 1<<20) // random: gzip cannot shrink it below the 64 KiB
	rand.Read(noise)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "data", "noise.bin"), noise, 0o644))
	_, err := Run(t.Context(), o, stamp, &bytes.Buffer{})
	// The remote is named, not the local file being read when it filled up.
	require.ErrorContains(t, err, "write "+filepath.Join(o.RemoteDir, ".config-backup-20261129-031500.tar.gz.partial")+" to "+o.RemoteDir+" on 127.0.0.1:")
	require.ErrorContains(t, err, "failed (is its disk full?)")
	require.NotContains(t, err.Error(), filepath.Join(dir, "data"))
	require.Empty(t, remoteFiles(t, o.RemoteDir))
}

func TestAnSFTPOnlyRemoteIsVerifiedByReadingTheArchiveBack(t *testing.T) {
	s := sshtest.Start(t, "ForceCommand internal-sftp")
	dir, db := netbirdDir(t)
	o := options(t, s, dir, db)
	var out bytes.Buffer
	r, err := Run(t.Context(), o, stamp, &out)
	require.NoError(t, err)
	require.Contains(t, out.String(), "verified on the remote (read back over SFTP): sha256 matches")
	require.Equal(t, []string{r.Name}, remoteFiles(t, o.RemoteDir))
}

func TestDryRunKeepsTheArchiveLocallyAndConnectsNowhere(t *testing.T) {
	dir, db := netbirdDir(t)
	o := Options{
		Remote:    sshremote.Config{Host: "127.0.0.1", Port: 1, Timeout: time.Second},
		RemoteDir: "/nowhere", Paths: []string{filepath.Join(dir, "compose")}, DBPaths: []string{db},
		Prefix: "config-backup", Keep: 1, WorkDir: filepath.Join(t.TempDir(), "work"), DryRun: true, Loc: time.UTC,
	}
	var out bytes.Buffer
	r, err := Run(t.Context(), o, stamp, &out)
	require.NoError(t, err)
	require.Equal(t, filepath.Join(o.WorkDir, r.Name), r.Local)
	require.Contains(t, out.String(), "dry-run: keeping "+r.Local+", not shipping it")
	got := untar(t, r.Local)
	ok, _ := integrity(t, filepath.Join(got, "data", "store.db"))
	require.Equal(t, "ok", ok)
	_, err = os.Stat(filepath.Join(got, "compose", ".env"))
	require.NoError(t, err)
}

func TestBadSettingsAreNamedBeforeAnythingHappens(t *testing.T) {
	dir, db := netbirdDir(t)
	base := Options{Paths: []string{dir}, Prefix: "p", Keep: 1, WorkDir: filepath.Join(t.TempDir(), "w"), Loc: time.UTC}
	for name, c := range map[string]struct {
		edit func(*Options)
		want string
	}{
		"keep 0":        {func(o *Options) { o.Keep = 0 }, "keep 0: at least the new archive must be kept"},
		"no paths":      {func(o *Options) { o.Paths = nil }, "OFFSITE_PATHS is not set — nothing to back up"},
		"missing path":  {func(o *Options) { o.Paths = []string{dir, "/nope/a", "/nope/b"} }, "OFFSITE_PATHS: configured but not present inside the container: /nope/a, /nope/b"},
		"glob no match": {func(o *Options) { o.DBPaths = []string{dir + "/*.sqlite"} }, "OFFSITE_DB_PATHS entry '" + dir + "/*.sqlite' matched nothing"},
		"outside base":  {func(o *Options) { o.BaseDir = "/srv"; o.DBPaths = []string{db} }, dir + " is outside OFFSITE_BASE_DIR=/srv"},
	} {
		t.Run(name, func(t *testing.T) {
			o := base
			c.edit(&o)
			_, err := Run(t.Context(), o, stamp, &bytes.Buffer{})
			require.EqualError(t, err, c.want)
		})
	}
}

func TestBaseIsTheCommonParent(t *testing.T) {
	for _, c := range []struct {
		configured string
		paths      []string
		want       string
	}{
		{"", []string{"/srv/nb/a", "/srv/nb/b/c"}, "/srv/nb"},
		{"", []string{"/srv/nb/a", "/srv/nb/a/store.db"}, "/srv/nb"}, // the common path is one of the paths
		{"", []string{"/srv/nb"}, "/srv"},
		{"/srv/", []string{"/srv/nb/a"}, "/srv"},
		{"/", []string{"/srv/nb/a", "/etc/x"}, "/"},
	} {
		got, err := Base(c.configured, c.paths)
		require.NoError(t, err, c.paths)
		require.Equal(t, c.want, got, c.paths)
	}
}

func TestCheckConnectsAndProbesWithoutShipping(t *testing.T) {
	s := sshtest.Start(t)
	dir, db := netbirdDir(t)
	o := options(t, s, dir, db)
	msg, err := Check(t.Context(), o)
	require.NoError(t, err)
	require.Contains(t, msg, o.RemoteDir+" writable (to be created)")
	require.Contains(t, msg, " GB free")
	_, err = os.Stat(o.RemoteDir)
	require.True(t, os.IsNotExist(err), "doctor creates nothing")
	top := filepath.Dir(filepath.Dir(o.RemoteDir)) // the nearest existing parent
	require.Empty(t, remoteFiles(t, top), "the probe is removed")

	_, err = Run(t.Context(), o, stamp, &bytes.Buffer{})
	require.NoError(t, err)
	msg, err = Check(t.Context(), o)
	require.NoError(t, err)
	require.Contains(t, msg, "1 archives, newest config-backup-20261129-031500.tar.gz")
	require.Equal(t, []string{"config-backup-20261129-031500.tar.gz"}, remoteFiles(t, o.RemoteDir))

	require.NoError(t, os.WriteFile(filepath.Join(top, "file"), nil, 0o600))
	o.RemoteDir = filepath.Join(top, "file")
	_, err = Check(t.Context(), o)
	require.ErrorContains(t, err, "is not a directory")
}

// A run killed while shipping leaves its hidden ".partial" on the remote
// (the docs promised none). The next run removes this prefix's partials
// unwritten for an hour, and leaves a fresh one and anything else alone.
func TestAPartialAKilledRunLeftIsRemovedByTheNext(t *testing.T) {
	s := sshtest.Start(t)
	dir, db := netbirdDir(t)
	o := options(t, s, dir, db)
	require.NoError(t, os.MkdirAll(o.RemoteDir, 0o700))
	stale, fresh, other := ".config-backup-20200101-000000.tar.gz.partial", ".config-backup-20200102-000000.tar.gz.partial", ".other-20200101-000000.tar.gz.partial"
	old := time.Now().Add(-2 * time.Hour)
	for _, n := range []string{stale, fresh, other} {
		require.NoError(t, os.WriteFile(filepath.Join(o.RemoteDir, n), []byte("half"), 0o600))
		if n != fresh {
			require.NoError(t, os.Chtimes(filepath.Join(o.RemoteDir, n), old, old))
		}
	}
	var out bytes.Buffer
	_, err := Run(t.Context(), o, stamp, &out)
	require.NoError(t, err)
	require.NoFileExists(t, filepath.Join(o.RemoteDir, stale))
	require.FileExists(t, filepath.Join(o.RemoteDir, fresh))
	require.FileExists(t, filepath.Join(o.RemoteDir, other), "another prefix's")
	require.Contains(t, out.String(), "removed 1 partial upload(s) a killed run left in "+o.RemoteDir)
}

func TestTheSeriesReadsThePythonToolsLocalStampsInNameOrder(t *testing.T) {
	s := Series("config-backup")
	for name, want := range map[string]bool{
		"config-backup-20261025-023000.tar.gz":    true,
		"config-backup-eu-20261025-023000.tar.gz": false,
		"config-backup-20261025-023000.tar.gz.x":  false,
		"netbird-prod-20261025T023000Z.zip":       false,
	} {
		require.Equal(t, want, s.Match(name), name)
	}
	// 02:30 happens twice on the night summer time ends in Europe: the
	// names still sort, and the stamps with them.
	a, ok := s.Stamp("config-backup-20261025-023000.tar.gz")
	require.True(t, ok)
	b, _ := s.Stamp("config-backup-20261025-023001.tar.gz")
	require.True(t, b.After(a))
	require.Equal(t, time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC), a)
}
