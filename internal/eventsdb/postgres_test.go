package eventsdb

import (
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/pgtest"
)

// pgSchema is what gorm's AutoMigrate makes of NetBird's activity.Event
// and activity.DeletedUser on Postgres (management/server/activity).
const pgSchema = `CREATE TABLE "events" ("timestamp" timestamptz,"activity" integer,"id" bigserial,"initiator_id" text,"target_id" text,"account_id" text,"meta" text,PRIMARY KEY ("id"));
CREATE INDEX IF NOT EXISTS "idx_events_account_id" ON "events" ("account_id");
CREATE TABLE "deleted_users" ("id" text,"email" text NOT NULL,"name" text,"enc_algo" text NOT NULL,PRIMARY KEY ("id"))`

// pgStore starts a server with NetBird's activity store in database
// netbird and a reader role that may only read it; the superuser's
// connection writes.
func pgStore(t *testing.T) (*pgtest.Server, *sql.DB, string) {
	t.Helper()
	s := pgtest.Start(t)
	s.Exec("postgres", `CREATE DATABASE netbird`, `CREATE ROLE birdseye LOGIN PASSWORD 'reader-pw'`)
	s.Exec("netbird", pgSchema, `GRANT SELECT ON events, deleted_users TO birdseye`)
	return s, s.Admin("netbird"), s.DSN("birdseye", "reader-pw", "netbird")
}

func TestThePostgresStoreIsReadAsEventsDBIs(t *testing.T) {
	_, db, dsn := pgStore(t)
	key := make([]byte, 32)
	rand.Read(key)
	for _, r := range [][]any{
		{"2026-11-29 15:40:03.421387+00:00", 16, "admin", "g1", "acc", `{"name":"perf-01999"}`},
		{"2026-11-29 15:40:04.5+00:00", 8, "admin", "gone-user", "acc", `{"is_service_user":false,"geo":2643743,"n":0,"groups":["a","b"],"m":{"k":"v"}}`},
		{"2026-11-29 15:40:05+00:00", 2, "bob", "bob", "acc", `{}`},
		{"2026-11-29 15:40:06+00:00", 2, "bob", "bob", "acc", `{}`}, // a repeated user.join
		{"2026-11-29 15:40:07+00:00", 1234, "sys", "x", "acc", `null`},
		{"2026-11-29 15:40:08+00:00", 16, "admin", "g2", "other-account", `{}`},
	} {
		_, err := db.Exec(`INSERT INTO events (timestamp, activity, initiator_id, target_id, account_id, meta) VALUES ($1, $2, $3, $4, $5, $6)`, r...)
		require.NoError(t, err)
	}
	for id, who := range map[string][2]string{"gone-user": {"gone@example.com", "Gone User"}, "admin": {"admin@example.com", "Old Admin"}} {
		_, err := db.Exec(`INSERT INTO deleted_users VALUES ($1, $2, $3, 'GCM')`, id, encrypt(t, key, who[0]), encrypt(t, key, who[1]))
		require.NoError(t, err)
	}

	s, err := Open(dsn, base64.StdEncoding.EncodeToString(key))
	require.NoError(t, err)
	defer s.Close()
	require.Equal(t, "the Postgres activity store", s.Name())
	require.NotContains(t, s.Path(), "reader-pw", "the password stays out of every message")
	accounts, err := s.Accounts(t.Context())
	require.NoError(t, err)
	require.Equal(t, []string{"acc", "other-account"}, accounts)
	evs, err := s.Read(t.Context(), "acc", 0, 100)
	require.NoError(t, err)
	require.Len(t, evs, 4, "the repeated user.join is dropped, the other account's event is not here")
	require.Equal(t, event.Event{ID: 1, Timestamp: "2026-11-29T15:40:03.421387Z", Activity: "Group created", ActivityCode: "group.add",
		InitiatorID: "admin", InitiatorName: "Old Admin", InitiatorEmail: "admin@example.com", TargetID: "g1",
		Meta: event.Meta{{Key: "name", Value: "perf-01999"}}}, evs[0])
	require.Equal(t, event.Meta{{Key: "is_service_user", Value: "false"}, {Key: "geo", Value: "2.643743e+06"}, {Key: "n", Value: "0"},
		{Key: "groups", Value: "[a b]"}, {Key: "m", Value: "map[k:v]"}, {Key: "username", Value: "Gone User"}, {Key: "email", Value: "gone@example.com"}}, evs[1].Meta)
	require.Equal(t, "unknown.1234", evs[3].ActivityCode)
	newest, err := s.MaxID(t.Context(), "acc")
	require.NoError(t, err)
	require.Equal(t, event.ID(5), newest)
	total, readable, err := s.DeletedUsers(t.Context())
	require.NoError(t, err)
	require.Equal(t, [2]int{2, 2}, [2]int{total, readable})

	// Every read is a read-only transaction.
	_, err = s.db.Exec(`DELETE FROM events`)
	require.Error(t, err, "the reader role cannot write")
}

func TestAWrongPasswordAMissingGrantAndAnotherDatabaseAreSaid(t *testing.T) {
	srv, _, _ := pgStore(t)
	srv.Exec("postgres", `CREATE ROLE nogrant LOGIN PASSWORD 'n-pw'`, `CREATE DATABASE other`)
	_, err := Open(srv.DSN("birdseye", "wrong", "netbird"), "")
	require.ErrorContains(t, err, "connect to the Postgres activity store postgres://birdseye@127.0.0.1:")
	require.ErrorContains(t, err, "password authentication failed for user \"birdseye\"")
	require.NotContains(t, err.Error(), "wrong")

	_, err = Open(srv.DSN("nogrant", "n-pw", "netbird"), "")
	require.EqualError(t, err, "the role may not read table events; expected: GRANT SELECT ON events, deleted_users TO <the role of EVENTS_DB>")

	_, err = Open(srv.DSN("postgres", pgtest.Password, "other"), "")
	require.ErrorIs(t, err, ErrShape)
	require.ErrorContains(t, err, "there is no table events")
}

// A server that goes away (a restart, a failover) is an error of the read,
// naming the store; once it is back the reading goes on where it stood.
func TestAStoreThatRestartsIsReadOnWhereItStood(t *testing.T) {
	srv, db, dsn := pgStore(t)
	insert := func(n int) {
		for range n {
			_, err := db.Exec(`INSERT INTO events (timestamp, activity, initiator_id, target_id, account_id, meta) VALUES (now(), 16, 'admin', 'g', 'acc', '{}')`)
			require.NoError(t, err)
		}
	}
	insert(3)
	s, err := Open(dsn, "")
	require.NoError(t, err)
	defer s.Close()
	src := &Source{Store: s, Account: "acc"}
	last := event.ID(0)
	keep := func(id event.ID) bool { return id > last }
	list, err := src.ListAuditEvents(t.Context(), keep)
	require.NoError(t, err)
	require.Len(t, list.Events, 3)
	last = 3

	srv.Stop()
	_, err = src.ListAuditEvents(t.Context(), keep)
	require.ErrorContains(t, err, "read the Postgres activity store: ")
	srv.Start()
	insert(2)
	var got []event.ID
	for len(got) < 2 {
		list, err = src.ListAuditEvents(t.Context(), keep)
		if err != nil {
			continue // the pool's connection from before the restart
		}
		for _, e := range list.Events {
			got = append(got, e.ID)
			last = e.ID
		}
	}
	require.Equal(t, []event.ID{4, 5}, got)
}

// clock is a settable time for the gap wait.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestAGapIsWaitedForUntilItFillsOrItsBoundPasses(t *testing.T) {
	c := &clock{t: time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)}
	g := gapWait{bound: time.Minute, seen: map[event.ID]time.Time{}, now: c.now}
	through, waiting := g.settle(10, []event.ID{11, 12, 14, 15, 17})
	require.Equal(t, event.ID(12), through, "13 may still commit")
	require.True(t, waiting)
	c.t = c.t.Add(59 * time.Second)
	through, _ = g.settle(12, []event.ID{14, 15, 17})
	require.Equal(t, event.ID(12), through)
	through, waiting = g.settle(12, []event.ID{13, 14, 15, 17, 19})
	require.Equal(t, event.ID(15), through, "13 came; 16 waits from when it was first seen")
	require.True(t, waiting)
	c.t = c.t.Add(time.Second)
	through, waiting = g.settle(15, []event.ID{17, 19, 20})
	require.Equal(t, event.ID(17), through, "16 did not come within the bound: a rolled-back insert; 18 was seen later")
	require.True(t, waiting)
	c.t = c.t.Add(time.Minute)
	through, waiting = g.settle(17, []event.ID{19, 20})
	require.Equal(t, event.ID(20), through)
	require.False(t, waiting)
	through, _ = g.settle(20, nil)
	require.Equal(t, event.ID(20), through)
	require.Empty(t, g.seen, "nothing behind the reader is kept")
}

// Eight connections insert at once and commit in a shuffled order, some
// roll back; the source, read after every commit, gives every committed
// event once, in id order, and none that was rolled back.
func TestOutOfOrderCommitsAreReadOnceInOrderAndNoneSkipped(t *testing.T) {
	_, db, dsn := pgStore(t)
	s, err := Open(dsn, "")
	require.NoError(t, err)
	defer s.Close()
	c := &clock{t: time.Now()}
	s.gaps.now = c.now
	src := &Source{Store: s, Account: "acc"}
	last := event.ID(0)
	keep := func(id event.ID) bool { return id > last }
	_, err = src.ListAuditEvents(t.Context(), keep) // first boot: nothing yet
	require.NoError(t, err)

	var got, committed []event.ID
	poll := func() {
		t.Helper()
		list, err := src.ListAuditEvents(t.Context(), keep)
		require.NoError(t, err)
		for _, e := range list.Events {
			require.Greater(t, e.ID, last, "in id order, once")
			got = append(got, e.ID)
			last = e.ID
		}
	}
	conns := make([]*sql.Conn, 8)
	for i := range conns {
		conns[i], err = db.Conn(t.Context())
		require.NoError(t, err)
		defer conns[i].Close()
	}
	rng := mrand.New(mrand.NewPCG(1, 2))
	for round := range 25 {
		type open struct {
			tx *sql.Tx
			id event.ID
		}
		var txs []open
		for _, i := range rng.Perm(len(conns)) {
			tx, err := conns[i].BeginTx(t.Context(), nil)
			require.NoError(t, err)
			var id int64
			require.NoError(t, tx.QueryRowContext(t.Context(), `INSERT INTO events (timestamp, activity, initiator_id, target_id, account_id, meta)
				VALUES (now(), 16, 'admin', $1, 'acc', '{}') RETURNING id`, fmt.Sprint("g", round)).Scan(&id))
			txs = append(txs, open{tx, event.ID(id)})
		}
		for _, i := range rng.Perm(len(txs)) {
			if rng.IntN(10) == 0 {
				require.NoError(t, txs[i].tx.Rollback())
			} else {
				require.NoError(t, txs[i].tx.Commit())
				committed = append(committed, txs[i].id)
			}
			poll()
		}
		c.t = c.t.Add(2 * GapWait) // rolled-back ids count as never coming
		poll()
	}
	poll()
	want := append([]event.ID{}, committed...)
	slices.Sort(want)
	require.Equal(t, want, got)
	require.Greater(t, len(committed), 150)
	require.Less(t, len(committed), 200, "some rolled back")
}
