package backup

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/pgdump"
	"github.com/styliteag/birdseye/internal/pgtest"
)

// A NetBird on Postgres: the store's pg_dump goes into the archive beside
// the configuration, streamed, and comes out of it with 7-Zip as a dump
// pg_restore takes; the "not in this backup" warning is gone.
func TestAPostgresDumpGoesIntoTheArchiveAndRestores(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec("postgres", `CREATE DATABASE netbird`)
	pg.Exec("netbird", `CREATE TABLE accounts (id text PRIMARY KEY)`, `INSERT INTO accounts VALUES ('acc1')`,
		`CREATE TABLE peers (id text PRIMARY KEY)`, `INSERT INTO peers SELECT 'p' || i FROM generate_series(1, 40) i`)
	run := pgdump.Local{Bin: pgtest.Bin()}
	root := t.TempDir()
	mkfile(t, filepath.Join(root, "mgmt", "management.json"), `{"DataStoreEncryptionKey":"k","StoreConfig":{"Engine":"postgres"}}`)
	o := Options{Paths: []string{filepath.Join(root, "mgmt")}, Password: pass, OutDir: t.TempDir(),
		Dumps: func(context.Context) ([]Dump, error) {
			return []Dump{{Name: "postgres/netbird.dump", Write: func(ctx context.Context, w io.Writer) error {
				return pgdump.Dump(ctx, run, pg.DSN("postgres", pgtest.Password, "netbird"), w)
			}}}, nil
		}}
	r, err := Volumes(t.Context(), o, time.Now())
	require.NoError(t, err)
	require.Empty(t, r.Warnings, "the database is in the backup")
	require.Len(t, r.Dumps, 1)
	require.Contains(t, r.Dumps[0], "postgres/netbird.dump (")

	sz, err := exec.LookPath("7z")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("7z missing in CI")
		}
		t.Skip("skipped: 7z not installed")
	}
	restore := t.TempDir()
	out, err := exec.Command(sz, "x", "-y", "-p"+pass, "-o"+restore, r.File).CombinedOutput()
	require.NoError(t, err, "%s", out)
	dump, err := os.ReadFile(filepath.Join(restore, "postgres", "netbird.dump"))
	require.NoError(t, err)
	counts, err := pgdump.Check(t.Context(), run, pg.DSN("postgres", pgtest.Password, "postgres"), bytes.NewReader(dump))
	require.NoError(t, err)
	require.Equal(t, pgdump.Counts{"accounts": 1, "peers": 40}, counts)

	// The restore check restores the dump and counts it as the store.
	restoreDump := func(ctx context.Context, name string, r io.Reader) (map[string]int, error) {
		return pgdump.Check(ctx, run, pg.DSN("postgres", pgtest.Password, "postgres"), r)
	}
	c, err := CheckWith(t.Context(), r.File, Key{Password: pass}, nil, restoreDump)
	require.NoError(t, err)
	require.True(t, c.OK(), "%v", c.Problems)
	require.Equal(t, map[string]error{"postgres/netbird.dump": nil}, c.Dumps)
	require.Equal(t, "postgres/netbird.dump", c.Store)
	require.Equal(t, 40, c.Counts["peers"])
	var text bytes.Buffer
	c.Text(&text)
	require.Contains(t, text.String(), "pg_dump:  postgres/netbird.dump: restored into a scratch database\n")
	require.Contains(t, text.String(), "store:    postgres/netbird.dump: 1 accounts, 40 peers\n")

	// Without a way to restore it, the dump is named as not checked.
	c, err = Check(t.Context(), r.File, Key{Password: pass}, nil)
	require.NoError(t, err)
	require.Contains(t, c.Warnings, "postgres/netbird.dump (pg_dump) was not restored here: set BACKUP_POSTGRES to check it, or restore it with pg_restore")

	// A dump the server refuses fails the check.
	c, err = CheckWith(t.Context(), r.File, Key{Password: pass}, nil, func(ctx context.Context, name string, r io.Reader) (map[string]int, error) {
		return pgdump.Check(ctx, run, pg.DSN("postgres", "wrong", "postgres"), r)
	})
	require.NoError(t, err)
	require.False(t, c.OK())
	require.Contains(t, c.Problems[0], "postgres/netbird.dump does not restore: create the scratch database")
}

// A dump that fails fails the backup, and no archive is left: one without
// the database would look whole and not be.
func TestAFailedDumpFailsTheBackupAndLeavesNoArchive(t *testing.T) {
	root := t.TempDir()
	mkfile(t, filepath.Join(root, "mgmt", "management.json"), `{"DataStoreEncryptionKey":"k"}`)
	out := t.TempDir()
	o := Options{Paths: []string{filepath.Join(root, "mgmt")}, Password: pass, OutDir: out,
		Dumps: func(context.Context) ([]Dump, error) {
			return []Dump{{Name: "postgres/netbird.dump", Write: func(_ context.Context, w io.Writer) error {
				w.Write([]byte("PGDMP partial"))
				return errors.New("pg_dump in container postgres exited with 1: connection refused")
			}}}, nil
		}}
	_, err := Volumes(t.Context(), o, time.Now())
	require.ErrorContains(t, err, "postgres/netbird.dump: pg_dump in container postgres exited with 1: connection refused")
	left, _ := os.ReadDir(out)
	require.Empty(t, left)
}
