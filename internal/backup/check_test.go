package backup

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/archive"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/netbird/nbtest"
	"github.com/styliteag/birdseye/internal/sqlitefile"
)

// storeDB makes a store.db with NetBird's tables and these row counts.
func storeDB(t *testing.T, dir string, rows map[string]int) string {
	t.Helper()
	p := filepath.Join(dir, "store.db")
	db, err := sql.Open("sqlite", "file:"+p)
	require.NoError(t, err)
	defer db.Close()
	for _, table := range sqlitefile.StoreTables {
		_, err := db.Exec(`CREATE TABLE "` + table + `" (id TEXT)`)
		require.NoError(t, err)
		for i := range rows[table] {
			_, err := db.Exec(`INSERT INTO "`+table+`" VALUES (?)`, i)
			require.NoError(t, err)
		}
	}
	return p
}

func TestACheckCountsTheStoreAndComparesItWithTheLiveServer(t *testing.T) {
	src := filepath.Join(t.TempDir(), "netbird")
	require.NoError(t, os.MkdirAll(src, 0o755))
	storeDB(t, src, map[string]int{"accounts": 1, "peers": 3, "users": 3, "groups": 4, "policies": 2, "setup_keys": 2})
	mkfile(t, filepath.Join(src, "management.json"), `{"DataStoreEncryptionKey":"k"}`)
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	r, err := Volumes(t.Context(), Options{Paths: []string{src}, OutDir: t.TempDir(), Age: true, Recipients: []age.Recipient{id.Recipient()}}, time.Now())
	require.NoError(t, err)
	_, live := nbtest.Start(t, fake.AuditorToken) // 3 peers, 3 users, 4 groups, 3 policies, 2 setup keys

	c, err := Check(t.Context(), r.File, Key{Identities: []age.Identity{id}}, live)
	require.NoError(t, err)
	require.True(t, c.OK(), c.Problems)
	require.Equal(t, "netbird/store.db", c.Store)
	require.Equal(t, 3, c.Counts["peers"])
	require.Equal(t, 3, c.Live["peers"])
	require.Equal(t, []string{"differs from the live server (changes since the backup are normal): policies 2 in the backup, 3 live"}, c.Warnings)
	var out bytes.Buffer
	c.Text(&out)
	require.Contains(t, out.String(), "store:    netbird/store.db: 1 accounts, 3 peers (live 3), 3 users (live 3), 4 groups (live 4), 2 policies (live 3), 2 setup_keys (live 2)")
	require.Contains(t, out.String(), "verdict:  restorable\n")

	_, err = Check(t.Context(), r.File, Key{Password: "not the key at all"}, nil)
	require.ErrorIs(t, err, archive.ErrNoIdentity, "a wrong key fails clearly")
}

func TestACheckFailsADamagedDatabaseAnEmptyStoreAndATruncatedArchive(t *testing.T) {
	dir := t.TempDir()
	good := storeDB(t, dir, map[string]int{"peers": 500})
	raw, err := os.ReadFile(good)
	require.NoError(t, err)
	for i := 4096; i < len(raw) && i < 4096+2048; i++ {
		raw[i] = 0x5a // scribble over a table page
	}
	file := filepath.Join(t.TempDir(), "netbird-x-20261129T030000Z.zip")
	f, err := os.Create(file)
	require.NoError(t, err)
	w := archive.NewWriter(f, pass)
	_, err = w.Add("netbird/store.db", bytes.NewReader(raw), 0o600, time.Now())
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, f.Close())

	c, err := Check(t.Context(), file, Key{Password: pass}, nil)
	require.NoError(t, err)
	require.False(t, c.OK())
	require.Contains(t, strings.Join(c.Problems, "\n"), "netbird/store.db fails integrity_check")
	require.Contains(t, strings.Join(c.Problems, "\n"), "holds no account")

	zipped, _ := os.ReadFile(file)
	short := filepath.Join(t.TempDir(), "short.zip")
	require.NoError(t, os.WriteFile(short, zipped[:len(zipped)/2], 0o600))
	_, err = Check(t.Context(), short, Key{Password: pass}, nil)
	require.Error(t, err, "a truncated archive does not open")
}
