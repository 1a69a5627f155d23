package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/realtest"
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
