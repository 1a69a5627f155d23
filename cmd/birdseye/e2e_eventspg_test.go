package main

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/pgtest"
	"github.com/styliteag/birdseye/internal/state"
)

// pgActivityStore is a real PostgreSQL with NetBird's activity store (the
// tables gorm makes of v0.77.1's models) in database netbird, a read-only
// role for birdseye, and the superuser's connection that writes.
func pgActivityStore(t *testing.T) (*pgtest.Server, *sql.DB, string) {
	t.Helper()
	s := pgtestStart(t)
	return s, s.Admin("netbird"), s.DSN("birdseye", "reader-pw", "netbird")
}

// pgtestStart is a server with the store and the role, for tests and
// benchmarks.
func pgtestStart(t testing.TB) *pgtest.Server {
	t.Helper()
	s := pgtest.Start(t)
	s.Exec("postgres", `CREATE DATABASE netbird`, `CREATE ROLE birdseye LOGIN PASSWORD 'reader-pw'`)
	s.Exec("netbird", `CREATE TABLE "events" ("timestamp" timestamptz,"activity" integer,"id" bigserial,"initiator_id" text,"target_id" text,"account_id" text,"meta" text,PRIMARY KEY ("id"))`,
		`CREATE INDEX IF NOT EXISTS "idx_events_account_id" ON "events" ("account_id")`,
		`CREATE TABLE "deleted_users" ("id" text,"email" text NOT NULL,"name" text,"enc_algo" text NOT NULL,PRIMARY KEY ("id"))`,
		`GRANT SELECT ON events, deleted_users TO birdseye`)
	return s
}

// Eight connections write events, committing in a shuffled order and
// rolling some back, while birdseye reading the Postgres store
// is killed with SIGKILL again and again: every committed event is
// printed, none rolled back is, and only the batch in flight when a kill
// came is printed twice.
func TestE2EOutOfOrderCommitsAndKillMinus9LoseNothingFromPostgres(t *testing.T) {
	_, db, dsn := pgActivityStore(t)
	_, srv := newAPI(t)
	sf := filepath.Join(t.TempDir(), "state.json")
	env := baseEnv(t, srv, sf, "EVENTS_SOURCE=db", "EVENTS_DB="+dsn, "EVENTS_DB_ACCOUNT=acc", "EVENTS_DB_POLL_INTERVAL=0.02", "EVENTS_DB_GAP_WAIT=10")
	d := start(t, env)
	d.waitLog("first boot")
	require.NotContains(t, d.logs(), "reader-pw", "the DSN's password is never logged")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())

	var mu sync.Mutex
	var committed []int
	rolledBack := map[int]bool{}
	// Each kill cycle asks the writers for batches (bounded by counts):
	// eight inserts on eight connections, committed in a shuffled order
	// while birdseye reads, one of them rolled back in some cycles. A
	// rolled-back id is a gap the reader waits EVENTS_DB_GAP_WAIT for
	// after each restart, so gaps are few: each costs a wait, not proof.
	type order struct{ batches, rollbacks int }
	orders := make(chan order, 16) // never blocks the kill cycles, even if the writers stopped on an error
	var writers sync.WaitGroup
	writers.Go(func() {
		conns := make([]*sql.Conn, 8)
		for i := range conns {
			c, err := db.Conn(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			conns[i] = c
		}
		for o := range orders {
			for b := range o.batches {
				type open struct {
					tx *sql.Tx
					id int
				}
				var txs []open
				for _, i := range rand.Perm(len(conns)) {
					tx, err := conns[i].BeginTx(context.Background(), nil)
					if err != nil {
						t.Error(err)
						return
					}
					var id int
					// The event's own id in target_id: stdout shows it.
					if err := tx.QueryRow(`WITH n AS (SELECT nextval('events_id_seq') AS id)
						INSERT INTO events (id, timestamp, activity, initiator_id, target_id, account_id, meta)
						SELECT id, now(), 16, 'sys', 'id-' || id, 'acc', '{}' FROM n RETURNING id`).Scan(&id); err != nil {
						t.Error(err)
						return
					}
					txs = append(txs, open{tx, id})
				}
				back := -1
				if b < o.rollbacks {
					back = rand.IntN(len(txs))
				}
				for _, i := range rand.Perm(len(txs)) {
					time.Sleep(time.Duration(rand.IntN(3)) * time.Millisecond)
					mu.Lock()
					if i == back {
						txs[i].tx.Rollback()
						rolledBack[txs[i].id] = true
					} else if txs[i].tx.Commit() == nil {
						committed = append(committed, txs[i].id)
					}
					mu.Unlock()
				}
			}
		}
	})

	seen := map[int]bool{}
	inFlight := map[int]bool{}
	repeats := 0
	record := func(got []int, st *state.State) {
		for i, id := range got {
			if i > 0 {
				require.Greater(t, id, got[i-1], "in id order")
			}
			if seen[id] {
				require.True(t, inFlight[id], "event %d printed again although the state file had it", id)
				repeats++
			}
			seen[id] = true
		}
		inFlight = map[int]bool{}
		for id := range seen {
			if st == nil || st.Cursor.IsNew(event.ID(id)) {
				inFlight[id] = true
			}
		}
	}
	const kills = 12
	for k := range kills {
		d := start(t, env)
		// The writers write while it reads; it is killed once it printed
		// a few, bounded by what it printed, not by time.
		rollbacks := 0
		if k%4 == 1 {
			rollbacks = 1
		}
		orders <- order{batches: 4, rollbacks: rollbacks}
		d.waitFor("events", func() bool { return len(ids(d.stdout())) >= 1+k%4 })
		require.NoError(t, d.cmd.Process.Kill())
		d.waitExit()
		st, err := state.File{Path: sf}.Load()
		require.NoError(t, err, "the state file is never corrupt after kill -9")
		record(ids(d.stdout()), st)
	}
	close(orders)
	writers.Wait()
	mu.Lock()
	want := append([]int{}, committed...)
	mu.Unlock()
	newest := 0
	for _, id := range want {
		newest = max(newest, id)
	}
	for id := range rolledBack {
		newest = max(newest, id)
	}
	// A last clean run catches up with everything, rolled-back gaps
	// included (EVENTS_DB_GAP_WAIT=10: no commit here takes that long, even on a loaded machine).
	d = start(t, env)
	d.waitLog("reading the audit events from") // running: SIGTERM is its own, not the default's
	d.waitFor("catch-up", func() bool {
		for _, id := range want {
			if !seen[id] && !contains(ids(d.stdout()), id) {
				return false
			}
		}
		return true
	})
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
	st, err := state.File{Path: sf}.Load()
	require.NoError(t, err)
	record(ids(d.stdout()), st)
	for _, id := range want {
		require.True(t, seen[id], "event %d lost", id)
	}
	for id := range rolledBack {
		require.False(t, seen[id], "event %d was rolled back but printed", id)
	}
	require.Greater(t, len(want), 50)
	t.Logf("%d events committed out of order (%d rolled back) over %d kill -9 cycles, %d printed twice (the batch in flight)", len(want), len(rolledBack), kills, repeats)
}

func contains(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Postgres stopped under a running birdseye (a restart, a failover): the
// outage alert names the activity store and why, once; the recovery is
// said once; the events written meanwhile come after it, none lost.
func TestE2EAPostgresOutageIsAlertedOnceAndLosesNothing(t *testing.T) {
	pg, db, dsn := pgActivityStore(t)
	_, api := newAPI(t)
	mm, hookURL := newMattermost(t)
	sf := filepath.Join(t.TempDir(), "state.json")
	insert := func(n int) {
		for range n {
			_, err := db.Exec(`WITH n AS (SELECT nextval('events_id_seq') AS id)
				INSERT INTO events (id, timestamp, activity, initiator_id, target_id, account_id, meta)
				SELECT id, now(), 16, 'sys', 'id-' || id, 'acc', '{}' FROM n`)
			require.NoError(t, err)
		}
	}
	d := start(t, baseEnv(t, api, sf, "EVENTS_SOURCE=db", "EVENTS_DB="+dsn, "EVENTS_DB_ACCOUNT=acc", "EVENTS_DB_POLL_INTERVAL=0.05",
		"MATTERMOST_WEBHOOK_URL="+hookURL, "OUTAGE_ALERT_MINUTES=0.003"))
	d.waitLog("first boot")
	insert(2)
	d.waitFor("two events", func() bool { return len(ids(d.stdout())) == 2 })
	posted := func(s string) string {
		for _, p := range mm.Posts() {
			if strings.Contains(p.Text, s) {
				return p.Text
			}
		}
		return ""
	}
	pg.Stop()
	d.waitFor("the outage alert", func() bool { return posted("unreadable for") != "" })
	require.Contains(t, posted("unreadable for"), "NetBird's activity store (EVENTS_DB) unreadable for 0 min (read the Postgres activity store: ")
	t.Log(posted("unreadable for"))
	pg.Start()
	insert(3)
	d.waitFor("the events written after the outage", func() bool { return len(ids(d.stdout())) == 5 })
	d.waitFor("the recovery", func() bool { return posted("readable again") != "" })
	require.Contains(t, posted("readable again"), "NetBird's activity store (EVENTS_DB) readable again after 0 min outage")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
	require.Equal(t, []int{1, 2, 3, 4, 5}, ids(d.stdout()))
	alerts := 0
	for _, p := range mm.Posts() {
		if strings.Contains(p.Text, "unreadable for") {
			alerts++
		}
	}
	require.Equal(t, 1, alerts, "said once")
	require.NotContains(t, d.logs(), "reader-pw", "the DSN's password is never logged")
	for _, p := range mm.Posts() {
		require.NotContains(t, p.Text, "reader-pw")
	}
}
