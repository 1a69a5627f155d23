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
