package eventsdb

import (
	"database/sql"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
)

func insertN(t *testing.T, db *sql.DB, account string, n int) {
	t.Helper()
	tx, err := db.Begin()
	require.NoError(t, err)
	for range n {
		_, err := tx.Exec(`INSERT INTO events (timestamp, activity, initiator_id, target_id, account_id, meta) VALUES ('2026-11-29 15:40:03+00:00', 16, 'admin', 'g', ?, '{}')`, account)
		require.NoError(t, err)
	}
	require.NoError(t, tx.Commit())
}

// The source continues a cursor wherever it stands (one the API source
// wrote, too), and reads a backlog of any size page by page, in order,
// without the lost-events alarm's full list.
func TestTheSourceContinuesACursorAndPagesABacklog(t *testing.T) {
	path, db := newStore(t)
	insertN(t, db, "acc", 10)
	insertN(t, db, "other", 5) // ids 11-15 belong to another account
	insertN(t, db, "acc", 12_000)
	s, err := Open(path, "")
	require.NoError(t, err)
	defer s.Close()
	src := &Source{Store: s, Account: "acc"}
	last := event.ID(7) // as the API source left it
	keep := func(id event.ID) bool { return id > last }
	var got []event.ID
	for range 5 {
		list, err := src.ListAuditEvents(t.Context(), keep)
		require.NoError(t, err)
		require.Less(t, list.Count, 10_000, "a page never looks like the API's full list")
		for _, e := range list.Events {
			got = append(got, e.ID)
			last = e.ID
		}
	}
	require.Len(t, got, 3+12_000, "8, 9, 10 and the backlog; the other account's ids are not here")
	require.Equal(t, event.ID(8), got[0])
	for i := 1; i < len(got); i++ {
		require.Greater(t, got[i], got[i-1], "in id order, once")
	}
	list, err := src.ListAuditEvents(t.Context(), keep)
	require.NoError(t, err)
	require.Empty(t, list.Events)
	insertN(t, db, "acc", 2)
	list, err = src.ListAuditEvents(t.Context(), keep)
	require.NoError(t, err)
	require.Len(t, list.Events, 2)
}

func TestAFirstBootSeedsAtTheNewestOrBackfills(t *testing.T) {
	path, db := newStore(t)
	insertN(t, db, "acc", 30)
	s, err := Open(path, "")
	require.NoError(t, err)
	defer s.Close()
	seed := &Source{Store: s, Account: "acc"}
	list, err := seed.ListAuditEvents(t.Context(), func(event.ID) bool { return false })
	require.NoError(t, err)
	require.Equal(t, event.ID(30), list.MaxID)
	require.Empty(t, list.Events)

	backfill := &Source{Store: s, Account: "acc"}
	list, err = backfill.ListAuditEvents(t.Context(), func(event.ID) bool { return true })
	require.NoError(t, err)
	require.Len(t, list.Events, 30, "the newest events, for BACKFILL")
	require.Equal(t, event.ID(30), list.MaxID)
}

// A slow sink slows the reading: a page is never larger than the room the
// sinks have, a full outbox means nothing is read, and what waits in the
// store comes later, in order, none skipped.
func TestTheSourceReadsNoMoreThanTheSinksHaveRoomFor(t *testing.T) {
	path, db := newStore(t)
	insertN(t, db, "acc", 1)
	s, err := Open(path, "")
	require.NoError(t, err)
	defer s.Close()
	room := 0
	src := &Source{Store: s, Account: "acc", Room: func() int { return room }}
	last := event.ID(1)
	keep := func(id event.ID) bool { return id > last }
	_, err = src.ListAuditEvents(t.Context(), keep) // finds the cursor
	require.NoError(t, err)
	insertN(t, db, "acc", 100)
	list, err := src.ListAuditEvents(t.Context(), keep)
	require.NoError(t, err)
	require.Empty(t, list.Events, "no room: nothing read")
	require.True(t, list.HeldBack, "an empty page for want of room is no caught-up backlog")
	var got []event.ID
	// -1: unbounded outboxes; the page size alone limits the read. A page
	// cut to the room says more may wait; the last, short one does not.
	for _, step := range []struct {
		room, want int
		held       bool
	}{{30, 30, true}, {0, 0, true}, {45, 45, true}, {-1, 25, false}} {
		room = step.room
		list, err := src.ListAuditEvents(t.Context(), keep)
		require.NoError(t, err)
		require.Len(t, list.Events, step.want, "room %d", step.room)
		require.Equal(t, step.held, list.HeldBack, "room %d", step.room)
		for _, e := range list.Events {
			got = append(got, e.ID)
			last = e.ID
		}
	}
	require.Len(t, got, 100)
	for i, id := range got {
		require.Equal(t, event.ID(i+2), id, "in order, none skipped")
	}
}

// A store replaced at its path while birdseye reads it (NetBird restored
// from a backup): the new file is read, by the cursor's rule (ids at or
// below it are not forwarded again), and that is said loudly; new events
// past the cursor arrive. SQLite alone kept reading the old file, and
// every later event was lost without a word.
func TestAReplacedStoreIsFollowedAndSaid(t *testing.T) {
	path, db := newStore(t)
	insertN(t, db, "acc", 5)
	s, err := Open(path, "")
	require.NoError(t, err)
	var logs strings.Builder
	src := &Source{Store: s, Account: "acc", Log: slog.New(slog.NewTextHandler(&logs, nil))}
	defer func() { src.Store.Close() }()
	last := event.ID(0)
	keep := func(id event.ID) bool { return id > last }
	list, err := src.ListAuditEvents(t.Context(), keep)
	require.NoError(t, err)
	last = list.Events[len(list.Events)-1].ID
	require.Equal(t, event.ID(5), last)

	// The restored file: three events, then NetBird carries on from there.
	restoredPath, restored := newStore(t)
	insertN(t, restored, "acc", 3)
	require.NoError(t, os.Rename(restoredPath, path))
	list, err = src.ListAuditEvents(t.Context(), keep)
	require.NoError(t, err)
	require.Empty(t, list.Events)
	require.Contains(t, logs.String(), "events.db was replaced while birdseye ran, and every event id in it is below last_id")
	restored.Close()
	now, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	defer now.Close()
	insertN(t, now, "acc", 4) // ids 4-7: 4 and 5 are at or below the cursor
	list, err = src.ListAuditEvents(t.Context(), keep)
	require.NoError(t, err)
	var got []event.ID
	for _, e := range list.Events {
		got = append(got, e.ID)
	}
	require.Equal(t, []event.ID{6, 7}, got, "read from the new file, past the cursor")

	// A deleted file is an error (an outage) until one is there again.
	require.NoError(t, os.Remove(path))
	_, err = src.ListAuditEvents(t.Context(), keep)
	require.ErrorContains(t, err, "was deleted while birdseye ran")
}

// After a restart against a replaced file, the cursor beyond every stored
// id is said (the new file's first ids were skipped without a word).
func TestACursorBeyondTheStoreIsSaidAtStart(t *testing.T) {
	path, db := newStore(t)
	insertN(t, db, "acc", 3)
	s, err := Open(path, "")
	require.NoError(t, err)
	defer s.Close()
	var logs strings.Builder
	src := &Source{Store: s, Account: "acc", Log: slog.New(slog.NewTextHandler(&logs, nil))}
	_, err = src.ListAuditEvents(t.Context(), func(id event.ID) bool { return id > 10 })
	require.NoError(t, err)
	require.Contains(t, logs.String(), "every event id in events.db is below last_id")

	logs.Reset()
	first := &Source{Store: s, Account: "acc", Log: slog.New(slog.NewTextHandler(&logs, nil))}
	_, err = first.ListAuditEvents(t.Context(), func(event.ID) bool { return false })
	require.NoError(t, err)
	require.Empty(t, logs.String(), "a first boot is not a replaced file")
}

// One bad row (an activity that is NULL, text or 1.5) stopped the store
// source for good: every poll failed and the good rows beside it waited.
// It is forwarded as an unreadable notice now, in order, and said.
func TestABadRowIsForwardedAsUnreadableAndTheRestGoesOn(t *testing.T) {
	path, db := newStore(t)
	insertN(t, db, "acc", 1)
	for _, act := range []any{nil, "sixteen", 1.5} {
		_, err := db.Exec(`INSERT INTO events (timestamp, activity, initiator_id, target_id, account_id, meta) VALUES ('2026-11-29 15:40:03+00:00', ?, 'admin', 'g', 'acc', '{}')`, act)
		require.NoError(t, err)
	}
	insertN(t, db, "acc", 1)
	s, err := Open(path, "")
	require.NoError(t, err)
	defer s.Close()
	src := &Source{Store: s, Account: "acc"}
	list, err := src.ListAuditEvents(t.Context(), func(id event.ID) bool { return id > 0 })
	require.NoError(t, err)
	var codes []string
	for _, e := range list.Events {
		codes = append(codes, e.ActivityCode)
	}
	require.Equal(t, []string{"group.add", event.CodeUnreadable, event.CodeUnreadable, event.CodeUnreadable, "group.add"}, codes)
	require.Len(t, list.Odd, 3, "each said")
	require.Equal(t, "activity=sixteen", list.Events[2].Meta.Get("raw"))
}
