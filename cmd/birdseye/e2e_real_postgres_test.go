package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/clone/clonetest"
	"github.com/styliteag/birdseye/internal/netbird/realtest"
	"github.com/styliteag/birdseye/internal/pgdump"
	"github.com/styliteag/birdseye/internal/pgtest"
)

// A real v0.77.1 server whose activity store is on a real PostgreSQL
// (NB_ACTIVITY_EVENT_STORE_ENGINE=postgres): birdseye reading that database
// through a read-only role forwards the same events as from the API, a
// deleted person still named.
func TestE2ERealForwarderFromAPostgresActivityStore(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec("postgres", `CREATE DATABASE netbird`)
	s := realtest.StartWith(t, realtest.Options{Env: []string{"NB_ACTIVITY_EVENT_STORE_ENGINE=postgres",
		"NB_ACTIVITY_EVENT_POSTGRES_DSN=" + pg.DSN("postgres", pgtest.Password, "netbird")}})
	_, err := os.Stat(filepath.Join(s.DataDir, "events.db"))
	require.True(t, os.IsNotExist(err), "the server keeps its events in Postgres, not in events.db")
	// NetBird made the tables; birdseye's role may only read them.
	pg.Exec("netbird", `CREATE ROLE birdseye LOGIN PASSWORD 'reader-pw'`, `GRANT SELECT ON events, deleted_users TO birdseye`)

	_, auditor := s.ServiceUser(t, "forwarder", "auditor")
	var person struct {
		ID string `json:"id"`
	}
	s.MustDo(t, s.OwnerToken, "POST", "/api/users", jsonObj{"email": "dana@example.com", "name": "Dana", "role": "user", "is_service_user": false, "auto_groups": []string{}}, &person)
	s.MustDo(t, s.OwnerToken, "DELETE", "/api/users/"+person.ID, nil, nil)
	s.Group(t, "made-by-owner")
	waitAudited(t, s, "group.add", "made-by-owner")

	all := apiEventIDs(t, s)
	require.GreaterOrEqual(t, len(all), 4)
	viaAPI := filepath.Join(t.TempDir(), "api.jsonl")
	runForwarder(t, s, auditor, filepath.Join(t.TempDir(), "state.json"), viaAPI, len(all), "BACKFILL=10000")
	viaPG := filepath.Join(t.TempDir(), "pg.jsonl")
	runForwarder(t, s, auditor, filepath.Join(t.TempDir(), "state.json"), viaPG, len(all), "BACKFILL=10000", "EVENTS_SOURCE=db",
		"EVENTS_DB="+pg.DSN("birdseye", "reader-pw", "netbird"), "NB_DATASTORE_ENCRYPTION_KEY="+s.Key)
	a, d := forwarded(t, viaAPI), forwarded(t, viaPG)
	require.Equal(t, all, eventIDs(a))
	require.Equal(t, all, eventIDs(d), "from Postgres: every event once, oldest first")
	named := 0
	for i := range a {
		require.Equal(t, canonical(a[i]), canonical(d[i]), "event %s", a[i]["id"])
		if a[i]["target_id"] == person.ID && d[i]["meta"].(jsonObj)["username"] != nil {
			require.Equal(t, "Dana", d[i]["meta"].(jsonObj)["username"], "decrypted with the store key, as from events.db")
			named++
		}
	}
	require.NotZero(t, named)
}

// A real v0.77.1 server with its store on a real PostgreSQL, and a
// container with PostgreSQL's programs reached through the real Docker
// engine: `backup volumes` with BACKUP_POSTGRES puts pg_dump's dump of the
// store into the encrypted archive; 7-Zip takes it out and pg_restore
// loads what the live server holds. The role's password travels in the
// exec's environment only and is in no output.
func TestE2ERealBackupOfAStoreOnPostgresHoldsItsDump(t *testing.T) {
	clonetest.RequireEngine(t)
	pg := pgtest.Start(t)
	pg.Exec("postgres", `CREATE DATABASE netbird`)
	s := realtest.StartWith(t, realtest.Options{StoreEngine: "postgres",
		Env: []string{"NB_STORE_ENGINE_POSTGRES_DSN=" + pg.DSN("postgres", pgtest.Password, "netbird")}})
	s.Group(t, "Ops")
	s.Group(t, "Laptops")
	container := pgtest.ToolsContainer(t)
	socket := strings.TrimPrefix(os.Getenv("DOCKER_HOST"), "unix://")
	if socket == "" {
		socket = "/var/run/docker.sock"
	}
	mgmt := filepath.Join(t.TempDir(), "mgmt")
	require.NoError(t, os.MkdirAll(mgmt, 0o755))
	b, err := os.ReadFile(s.Config)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(mgmt, "management.json"), b, 0o600))
	out := t.TempDir()
	dsn := strings.Replace(pg.DSN("postgres", pgtest.Password, "netbird"), ":"+pgtest.Password+"@", "@", 1)
	code, text := runTool(t, []string{"PATH=" + os.Getenv("PATH"), "BACKUP_PATHS=" + mgmt, "BACKUP_ZIP_PASSWORD=e2e backup passphrase",
		"BACKUP_POSTGRES=" + container, "BACKUP_POSTGRES_DATABASES=" + dsn, "BACKUP_POSTGRES_PASSWORD=" + pgtest.Password,
		"BACKUP_DOCKER_SOCKET=" + socket}, "backup", "volumes", "--out", out)
	require.Equal(t, 0, code, text)
	require.Contains(t, text, "pg_dump: postgres/netbird.dump (")
	require.NotContains(t, text, "NetBird's store is Postgres", "the database is in the backup: no warning")
	require.NotContains(t, text, pgtest.Password)

	archives, _ := filepath.Glob(filepath.Join(out, "netbird-*.zip"))
	require.Len(t, archives, 1)
	restore := t.TempDir()
	res, err := exec.Command("7z", "x", "-y", "-pe2e backup passphrase", "-o"+restore, archives[0]).CombinedOutput()
	require.NoError(t, err, "%s", res)
	dump, err := os.ReadFile(filepath.Join(restore, "postgres", "netbird.dump"))
	require.NoError(t, err)
	counts, err := pgdump.Check(t.Context(), pgdump.Local{Bin: pgtest.Bin()}, pg.DSN("postgres", pgtest.Password, "postgres"), bytes.NewReader(dump))
	require.NoError(t, err)
	var groups []jsonObj
	s.MustDo(t, s.OwnerToken, "GET", "/api/groups", nil, &groups)
	require.Equal(t, len(groups), counts["groups"])
	require.Equal(t, 1, counts["accounts"])

	// backup check restores the dump in the Postgres container's server
	// and compares it with the live server, as it does store.db.
	_, auditor := s.ServiceUser(t, "checker", "auditor")
	code, text = runTool(t, []string{"PATH=" + os.Getenv("PATH"), "BACKUP_ZIP_PASSWORD=e2e backup passphrase", "NB_URL=" + s.URL, "NB_API_KEY=" + auditor,
		"BACKUP_POSTGRES=" + container, "BACKUP_POSTGRES_DATABASES=" + dsn, "BACKUP_POSTGRES_PASSWORD=" + pgtest.Password,
		"BACKUP_DOCKER_SOCKET=" + socket}, "backup", "check", archives[0])
	require.Equal(t, 0, code, text)
	require.Contains(t, text, "pg_dump:  postgres/netbird.dump: restored into a scratch database")
	require.Regexp(t, `store: +postgres/netbird\.dump: 1 accounts, .*\d+ groups \(live \d+\)`, text)
	require.Contains(t, text, "verdict:  restorable")
	require.NotContains(t, text, pgtest.Password)

	// backup extract writes the dump for pg_restore, as the docs say.
	extracted := filepath.Join(t.TempDir(), "restore")
	code, text = runTool(t, []string{"PATH=" + os.Getenv("PATH"), "BACKUP_ZIP_PASSWORD=e2e backup passphrase"}, "backup", "extract", archives[0], extracted)
	require.Equal(t, 0, code, text)
	got, err := os.ReadFile(filepath.Join(extracted, "postgres", "netbird.dump"))
	require.NoError(t, err)
	require.Equal(t, dump, got, "the dump as pg_dump wrote it")
}
