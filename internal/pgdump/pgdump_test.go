package pgdump

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/realtest"
	"github.com/styliteag/birdseye/internal/pgtest"
)

// A real v0.77.1 server whose store is on a real PostgreSQL: the dump is
// pg_dump's custom format, and the restore check counts in a scratch
// database what the live server says it holds; a damaged dump is refused
// and its scratch database goes all the same.
func TestADumpOfARealStoreRestoresWithWhatTheServerHolds(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec("postgres", `CREATE DATABASE netbird`)
	s := realtest.StartWith(t, realtest.Options{StoreEngine: "postgres",
		Env: []string{"NB_STORE_ENGINE_POSTGRES_DSN=" + pg.DSN("postgres", pgtest.Password, "netbird")}})
	s.Group(t, "Ops")
	s.Group(t, "Laptops")
	s.ServiceUser(t, "bot", "auditor")
	s.SetupKey(t, "office", realtest.SetupKeyOptions{})
	run := Local{Bin: pgtest.Bin()}

	var dump bytes.Buffer
	require.NoError(t, Dump(t.Context(), run, pg.DSN("postgres", pgtest.Password, "netbird"), &dump))
	require.True(t, bytes.HasPrefix(dump.Bytes(), []byte("PGDMP")), "pg_dump's custom format")

	counts, err := Check(t.Context(), run, pg.DSN("postgres", pgtest.Password, "postgres"), bytes.NewReader(dump.Bytes()))
	require.NoError(t, err)
	var groups, users, keys []map[string]any
	s.MustDo(t, s.OwnerToken, "GET", "/api/groups", nil, &groups)
	s.MustDo(t, s.OwnerToken, "GET", "/api/users", nil, &users)
	s.MustDo(t, s.OwnerToken, "GET", "/api/setup-keys", nil, &keys)
	require.Equal(t, 1, counts["accounts"])
	require.Equal(t, len(groups), counts["groups"])
	require.GreaterOrEqual(t, counts["users"], len(users), "the API lists the account's users; the table holds them all")
	require.Equal(t, len(keys), counts["setup_keys"])
	require.Contains(t, counts, "peers")

	_, err = Check(t.Context(), run, pg.DSN("postgres", pgtest.Password, "postgres"), bytes.NewReader(dump.Bytes()[:dump.Len()/2]))
	require.ErrorContains(t, err, "restore the dump into a scratch database: pg_restore: ")
	var out strings.Builder
	require.NoError(t, run.Run(t.Context(), []string{"psql", "-At", "--dbname=" + pg.DSN("postgres", pgtest.Password, "postgres"),
		"-c", "SELECT count(*) FROM pg_database WHERE datname LIKE 'birdseye_check_%'"}, nil, &out))
	require.Equal(t, "0", strings.TrimSpace(out.String()), "no scratch database stays")
}

func TestADumpOfADatabaseThatCannotBeReachedNamesItWithoutThePassword(t *testing.T) {
	pg := pgtest.Start(t)
	var dump bytes.Buffer
	err := Dump(t.Context(), Local{Bin: pgtest.Bin()}, pg.DSN("postgres", "not-the-password", "netbird"), &dump)
	require.ErrorContains(t, err, "dump postgres://postgres@127.0.0.1:")
	require.ErrorContains(t, err, "password authentication failed")
	require.NotContains(t, err.Error(), "not-the-password")
}
