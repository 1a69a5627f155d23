package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
)

const admin = "CiRkZTgyY2JlNi1hOTllLTQ4YjEtYWRlNy1iYjUyZWUxOTk0N2MSBWxvY2Fs" // the fake's owner

// The same events, once in an events.db with the server's schema and once
// served by the fake API as v0.77.1 renders them: EVENTS_SOURCE=db and
// EVENTS_SOURCE=api give the sinks the same lines and the same JSON.
func TestE2EEventsFromTheStoreMatchEventsFromTheAPI(t *testing.T) {
	f, api := newAPI(t)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "events.db")
	db, err := sql.Open("sqlite", "file:"+dbPath)
	require.NoError(t, err)
	_, err = db.Exec("CREATE TABLE `events` (`timestamp` datetime,`activity` integer,`id` integer PRIMARY KEY AUTOINCREMENT,`initiator_id` text,`target_id` text,`account_id` text,`meta` text);" +
		"CREATE TABLE `deleted_users` (`id` text,`email` text NOT NULL,`name` text,`enc_algo` text NOT NULL,PRIMARY KEY (`id`));")
	require.NoError(t, err)
	rows := []struct {
		ts, code, text, initiator, target, meta string
		number                                  int
		apiMeta                                 event.Meta
	}{
		{"2026-11-29 15:40:03.421387276+00:00", "group.add", "Group created", admin, "g1", `{"name":"Ops"}`, 16, event.Meta{{Key: "name", Value: "Ops"}}},
		{"2026-11-29 15:40:04.5+00:00", "policy.add", "Policy added", admin, "p1", `{"name":"Ops SSH"}`, 9, event.Meta{{Key: "name", Value: "Ops SSH"}}},
		{"2026-11-29 15:40:05+00:00", "group.add", "Group created", "sys", "g2", `{"name":"All"}`, 16, event.Meta{{Key: "name", Value: "All"}}},
	}
	for i, r := range rows {
		_, err := db.Exec(`INSERT INTO events (timestamp, activity, initiator_id, target_id, account_id, meta) VALUES (?, ?, ?, ?, 'dc1uer5qmd2qmv54vjl0', ?)`, r.ts, r.number, r.initiator, r.target, r.meta)
		require.NoError(t, err)
		e := event.Event{ID: event.ID(i + 1), Timestamp: strings.Replace(strings.Replace(r.ts, " ", "T", 1), "+00:00", "Z", 1),
			ActivityCode: r.code, Activity: r.text, InitiatorID: r.initiator, TargetID: r.target, Meta: r.apiMeta}
		if r.initiator == admin {
			e.InitiatorName, e.InitiatorEmail = "Admin", "admin@netbird.test"
		}
		f.Add(e)
	}
	db.Close()

	run := func(extra ...string) ([]string, string) {
		out := filepath.Join(t.TempDir(), "events.jsonl")
		env := baseEnv(t, api, filepath.Join(t.TempDir(), "state.json"), append([]string{"BACKFILL=3", "FILE_SINK_PATH=" + out, "EVENTS_DB_POLL_INTERVAL=0.05"}, extra...)...)
		d := start(t, env)
		d.waitFor("three events", func() bool { return len(d.stdout()) >= 3 })
		d.signal(syscall.SIGTERM)
		require.Equal(t, 0, d.waitExit(), d.logs())
		b, err := os.ReadFile(out)
		require.NoError(t, err)
		return d.stdout(), string(b)
	}
	apiLines, apiJSON := run()
	dbLines, dbJSON := run("EVENTS_SOURCE=db", "EVENTS_DB="+dbPath)
	require.Equal(t, apiLines, dbLines)
	require.JSONEq(t, "["+strings.Join(strings.Split(strings.TrimSpace(apiJSON), "\n"), ",")+"]",
		"["+strings.Join(strings.Split(strings.TrimSpace(dbJSON), "\n"), ",")+"]")
	require.Contains(t, dbJSON, `"initiator_name":"Admin"`)
}

// A store that cannot be used is said once and the API takes over.
func TestE2EAnUnusableStoreFallsBackToTheAPI(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	bogus := filepath.Join(t.TempDir(), "events.db")
	require.NoError(t, os.WriteFile(bogus, []byte("not sqlite"), 0o600))
	d := start(t, baseEnv(t, api, filepath.Join(t.TempDir(), "state.json"), "EVENTS_SOURCE=db", "EVENTS_DB="+bogus))
	d.waitLog("the activity store (EVENTS_DB) is not usable; the audit events are read from the API instead")
	d.waitLog("first boot")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())

	d = start(t, baseEnv(t, api, filepath.Join(t.TempDir(), "state.json"), "EVENTS_SOURCE=db"))
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), "config: EVENTS_DB is not set and no events.db was found in BACKUP_PATHS")
}

func TestE2EDoctorLooksAtTheStore(t *testing.T) {
	_, api := newAPI(t)
	dbPath := filepath.Join(t.TempDir(), "events.db")
	db, err := sql.Open("sqlite", "file:"+dbPath)
	require.NoError(t, err)
	_, err = db.Exec("CREATE TABLE `events` (`timestamp` datetime,`activity` integer,`id` integer PRIMARY KEY AUTOINCREMENT,`initiator_id` text,`target_id` text,`account_id` text,`meta` text);" +
		"CREATE TABLE `deleted_users` (`id` text,`email` text NOT NULL,`name` text,`enc_algo` text NOT NULL,PRIMARY KEY (`id`));" +
		"INSERT INTO events (timestamp, activity, initiator_id, target_id, account_id, meta) VALUES ('2026-11-29 15:40:03+00:00', 16, 'a', 'g', 'dc1uer5qmd2qmv54vjl0', '{}');" +
		"INSERT INTO deleted_users VALUES ('u1', 'x', 'y', 'GCM');")
	require.NoError(t, err)
	db.Close()
	d := start(t, baseEnv(t, api, filepath.Join(t.TempDir(), "state.json"), "EVENTS_SOURCE=db", "EVENTS_DB="+dbPath, "NB_ADMIN_API_KEY=nbp_fakeadmin0000000000000000000000000000"), "doctor")
	d.waitExit()
	out := strings.Join(d.stdout(), "\n")
	require.Contains(t, out, "WARN  EVENTS_DB              "+dbPath+": readable, account dc1uer5qmd2qmv54vjl0, newest event 1; 1 of 1 deleted users cannot be named: set NB_DATASTORE_ENCRYPTION_KEY")
}

func newEventsDB(t testing.TB, account string) (string, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "events.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	_, err = db.Exec("CREATE TABLE `events` (`timestamp` datetime,`activity` integer,`id` integer PRIMARY KEY AUTOINCREMENT,`initiator_id` text,`target_id` text,`account_id` text,`meta` text);" +
		"CREATE TABLE `deleted_users` (`id` text,`email` text NOT NULL,`name` text,`enc_algo` text NOT NULL,PRIMARY KEY (`id`));")
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO events (timestamp, activity, initiator_id, target_id, account_id, meta) VALUES ('2026-11-29 15:40:03+00:00', 16, 'sys', 'g0', ?, '{}')`, account)
	require.NoError(t, err)
	return path, db
}

// 15,000 events inserted at once (more than the API's window) all reach
// the sinks, once and in order.
func TestE2EFifteenThousandEventsAtOnceAreAllForwarded(t *testing.T) {
	_, api := newAPI(t)
	path, db := newEventsDB(t, "dc1uer5qmd2qmv54vjl0")
	out := filepath.Join(t.TempDir(), "events.jsonl")
	d := start(t, baseEnv(t, api, filepath.Join(t.TempDir(), "state.json"), "EVENTS_SOURCE=db", "EVENTS_DB="+path,
		// An outbox smaller than a page: a sink slower than the store's
		// reading would drop events were the reading not held back.
		"EVENTS_DB_POLL_INTERVAL=0.05", "FILE_SINK_PATH="+out, "STDOUT_INCLUDE=", "SINK_QUEUE_MAX=2000"))
	d.waitLog("first boot")
	tx, err := db.Begin()
	require.NoError(t, err)
	for i := range 15_000 {
		_, err := tx.Exec(`INSERT INTO events (timestamp, activity, initiator_id, target_id, account_id, meta) VALUES ('2026-11-29 15:41:00+00:00', 16, 'sys', ?, 'dc1uer5qmd2qmv54vjl0', '{}')`, i)
		require.NoError(t, err)
	}
	require.NoError(t, tx.Commit())
	// The audit events only: the sink also gets birdseye's own notices
	// (a backlog of this size is reported).
	lines := func() []string {
		b, _ := os.ReadFile(out)
		var evs []string
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if strings.Contains(l, `"activity_code":"group.add"`) {
				evs = append(evs, l)
			}
		}
		return evs
	}
	seen := 0
	defer func() {
		if t.Failed() {
			t.Logf("the file sink had %d of the 15,000 events", seen)
		}
	}()
	d.waitFor("15,000 lines in the file sink", func() bool {
		b, _ := os.ReadFile(out)
		seen = bytes.Count(b, []byte(`"activity_code":"group.add"`))
		return seen >= 15_000
	})
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
	require.NotContains(t, d.logs(), "POLL_INTERVAL is under 10 s", "the store source does not poll the API for events")
	require.Equal(t, 1, strings.Count(d.logs(), "audit-events backlog: more new events in one poll"), "15,000 new events are a backlog, said once")
	got := lines()
	require.Len(t, got, 15_000, "none lost, none twice")
	for i, l := range got {
		require.Contains(t, l, fmt.Sprintf(`"id":"%d"`, i+2), "in order")
	}
	require.NotContains(t, d.logs(), "events lost")
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	require.NotContains(t, string(b), "SINK_QUEUE_MAX", "no outbox dropped anything")
}
