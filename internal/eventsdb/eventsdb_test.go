package eventsdb

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
)

// schema is what a v0.77.1 server creates (events-db.md).
const schema = "CREATE TABLE `events` (`timestamp` datetime,`activity` integer,`id` integer PRIMARY KEY AUTOINCREMENT,`initiator_id` text,`target_id` text,`account_id` text,`meta` text);" +
	"CREATE INDEX `idx_events_account_id` ON `events`(`account_id`);" +
	"CREATE TABLE `deleted_users` (`id` text,`email` text NOT NULL,`name` text,`enc_algo` text NOT NULL,PRIMARY KEY (`id`));"

func newStore(t testing.TB) (string, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "events.db")
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	_, err = db.Exec(schema)
	require.NoError(t, err)
	return path, db
}

func encrypt(t *testing.T, key []byte, plain string) string {
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	nonce := make([]byte, gcm.NonceSize())
	rand.Read(nonce)
	return base64.StdEncoding.EncodeToString(gcm.Seal(nonce, nonce, []byte(plain), nil))
}

func TestRowsAreRenderedAsTheAPIRendersThem(t *testing.T) {
	path, db := newStore(t)
	key := make([]byte, 32)
	rand.Read(key)
	ins := `INSERT INTO events (timestamp, activity, initiator_id, target_id, account_id, meta) VALUES (?, ?, ?, ?, ?, ?)`
	for _, r := range [][]any{
		{"2026-11-29 15:40:03.421387276+00:00", 16, "admin", "g1", "acc", `{"name":"perf-01999"}`},
		{"2026-11-29 15:40:04.5+00:00", 8, "admin", "gone-user", "acc", `{"is_service_user":false,"geo":2643743,"n":0,"groups":["a","b"],"m":{"k":"v"}}`},
		{"2026-11-29 15:40:05+00:00", 2, "bob", "bob", "acc", `{}`},
		{"2026-11-29 15:40:06+00:00", 2, "bob", "bob", "acc", `{}`}, // a repeated user.join
		{"2026-11-29 15:40:07+00:00", 1234, "sys", "x", "acc", `null`},
		{"2026-11-29 15:40:08+00:00", 16, "admin", "g2", "other-account", `{}`},
	} {
		_, err := db.Exec(ins, r...)
		require.NoError(t, err)
	}
	_, err := db.Exec(`INSERT INTO deleted_users VALUES (?, ?, ?, 'GCM')`, "gone-user", encrypt(t, key, "gone@example.com"), encrypt(t, key, "Gone User"))
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO deleted_users VALUES (?, ?, ?, 'GCM')`, "admin", encrypt(t, key, "admin@example.com"), encrypt(t, key, "Old Admin"))
	require.NoError(t, err)

	s, err := Open(path, base64.StdEncoding.EncodeToString(key))
	require.NoError(t, err)
	defer s.Close()
	accounts, err := s.Accounts(t.Context())
	require.NoError(t, err)
	require.Equal(t, []string{"acc", "other-account"}, accounts)

	evs, err := s.Read(t.Context(), "acc", 0, 100)
	require.NoError(t, err)
	require.Len(t, evs, 4, "the repeated user.join is dropped, the other account's event is not here")
	require.Equal(t, event.Event{ID: 1, Timestamp: "2026-11-29T15:40:03.421387276Z", Activity: "Group created", ActivityCode: "group.add",
		InitiatorID: "admin", InitiatorName: "Old Admin", InitiatorEmail: "admin@example.com", TargetID: "g1",
		Meta: event.Meta{{Key: "name", Value: "perf-01999"}}}, evs[0])
	require.Equal(t, "2026-11-29T15:40:04.5Z", evs[1].Timestamp)
	require.Equal(t, event.Meta{{Key: "is_service_user", Value: "false"}, {Key: "geo", Value: "2.643743e+06"}, {Key: "n", Value: "0"},
		{Key: "groups", Value: "[a b]"}, {Key: "m", Value: "map[k:v]"}, {Key: "username", Value: "Gone User"}, {Key: "email", Value: "gone@example.com"}}, evs[1].Meta)
	require.Equal(t, "user.join", evs[2].ActivityCode)
	require.Equal(t, event.ID(5), evs[3].ID)
	require.Equal(t, "unknown.1234", evs[3].ActivityCode)

	more, err := s.Read(t.Context(), "acc", 3, 100)
	require.NoError(t, err)
	require.Len(t, more, 1, "after the cursor, and the repeat of a join already given stays dropped")

	noKey, err := Open(path, "")
	require.NoError(t, err)
	defer noKey.Close()
	evs, _ = noKey.Read(t.Context(), "acc", 0, 1)
	require.Equal(t, "unknown", evs[0].InitiatorName, "without the key a deleted user is unknown, as NetBird says")
	require.Equal(t, "unknown@unknown.com", evs[0].InitiatorEmail)
	otherKey, err := Open(path, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=") // 32 bytes, not this store's
	require.NoError(t, err)
	defer otherKey.Close()
	evs, _ = otherKey.Read(t.Context(), "acc", 0, 1)
	require.Equal(t, "unknown", evs[0].InitiatorName, "another store's key opens nothing either")
}

func TestAStoreOfAnotherShapeOrAWrongKeyIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE events (id INTEGER, what TEXT)`)
	require.NoError(t, err)
	db.Close()
	_, err = Open(path, "")
	require.ErrorIs(t, err, ErrShape)
	require.ErrorContains(t, err, "table events has no column timestamp")

	good, _ := newStore(t)
	_, err = Open(good, "c2hvcnQ=")
	require.EqualError(t, err, "the store encryption key is not base64 of 32 bytes")
}

// A read-only file (a read-only mount) is enough: nothing is ever written.
func TestItReadsAReadOnlyFile(t *testing.T) {
	path, db := newStore(t)
	_, err := db.Exec(`INSERT INTO events (timestamp, activity, initiator_id, target_id, account_id, meta) VALUES ('2026-11-29 15:40:03+00:00', 16, 'a', 'g', 'acc', '{}')`)
	require.NoError(t, err)
	db.Close()
	require.NoError(t, os.Chmod(path, 0o444))
	require.NoError(t, os.Chmod(filepath.Dir(path), 0o555))
	t.Cleanup(func() { os.Chmod(filepath.Dir(path), 0o755) })
	s, err := Open(path, "")
	require.NoError(t, err)
	defer s.Close()
	evs, err := s.Read(t.Context(), "acc", 0, 10)
	require.NoError(t, err)
	require.Len(t, evs, 1)
	_, err = s.db.Exec(`DELETE FROM events`)
	require.Error(t, err, "the connection cannot write")
}
