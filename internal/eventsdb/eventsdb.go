// Package eventsdb reads NetBird's activity store (events.db) directly,
// read-only, and renders each row as the management API renders it: the
// activity's code and text from its number, the timestamp in RFC 3339,
// meta values as the server's fmt "%v", deleted users' names and e-mails
// decrypted (AES-256-GCM with the store key), duplicate user.join events
// dropped. A poll costs what is new, never the table's size. Source is
// the audit poller's view of it (EVENTS_SOURCE=db).
package eventsdb

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"database/sql"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite the backups use too

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/pgdsn"
)

// ErrShape is a file that is not an activity store of a known shape.
var ErrShape = errors.New("not NetBird's activity store of a known shape")

// Store is an open, read-only activity store: an events.db file, or
// NetBird's Postgres activity store (postgres.go).
type Store struct {
	db  *sql.DB
	gcm cipher.AEAD // nil without the store key: deleted users stay unnamed
	// pg: a Postgres store, where ids can commit out of order (gaps
	// decides how far they are settled); name is how messages call it.
	pg   bool
	gaps gapWait
	name string
	// path, key and the file as opened: a file replaced, deleted or cut
	// shorter at the path is noticed (Changed) and opened again.
	path, key string
	file      os.FileInfo
	// seenJoins are the user.join events already given, by target,
	// initiator and account: the API drops the repeats.
	seenJoins map[string]bool
}

// Open opens the store read-only and checks its schema: path is the
// events.db file or a Postgres DSN (pgdsn.Is). key is the store encryption
// key (DataStoreEncryptionKey, base64 of 32 bytes) or "".
func Open(path, key string) (*Store, error) {
	if pgdsn.Is(path) {
		return openPostgres(path, key)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)&_pragma=query_only(1)")
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, seenJoins: map[string]bool{}, path: path, key: key, name: "events.db"}
	s.file, _ = os.Stat(path)
	return s.ready(key)
}

// ready checks the shape and takes the key; the store is closed when it
// fails.
func (s *Store) ready(key string) (*Store, error) {
	if err := s.checkShape(); err != nil {
		s.db.Close()
		return nil, err
	}
	if key != "" {
		raw, err := base64.StdEncoding.DecodeString(key)
		if err != nil || len(raw) != 32 {
			s.db.Close()
			return nil, errors.New("the store encryption key is not base64 of 32 bytes")
		}
		block, _ := aes.NewCipher(raw)
		s.gcm, _ = cipher.NewGCM(block)
	}
	return s, nil
}

// Changed says how the file at the path is no longer the one opened:
// "deleted", "replaced" (another file: a restore, a copy), "cut shorter";
// "" when it is the same. SQLite keeps reading the inode it opened, so a
// replaced file would otherwise be read no more, silently.
func (s *Store) Changed() string {
	now, err := os.Stat(s.path)
	switch {
	case s.file == nil:
		return ""
	case err != nil:
		return "deleted"
	case !os.SameFile(s.file, now):
		return "replaced"
	case now.Size() < s.file.Size():
		return "cut shorter"
	}
	s.file = now
	return ""
}

// Reopen opens the file now at the path, with the same key.
func (s *Store) Reopen() (*Store, error) { return Open(s.path, s.key) }

// Path is where the store is read: the file, or the DSN without its
// password.
func (s *Store) Path() string { return s.path }

// Name is what messages call the store: events.db, or the Postgres
// activity store.
func (s *Store) Name() string { return s.name }

func (s *Store) checkShape() error {
	// In order: the events table is the one a wrong file most often lacks,
	// and one run names the same problem as the next.
	want := []struct {
		table string
		cols  []string
	}{
		{"events", []string{"timestamp", "activity", "id", "initiator_id", "target_id", "account_id", "meta"}},
		{"deleted_users", []string{"id", "email", "name", "enc_algo"}},
	}
	for _, w := range want {
		table, cols := w.table, w.cols
		have, err := s.columns(table)
		if err != nil {
			return err
		}
		for _, c := range cols {
			if !have[c] {
				return fmt.Errorf("%w: table %s has no column %s", ErrShape, table, c)
			}
		}
	}
	return nil
}

// columns are the table's columns (none when there is no such table).
func (s *Store) columns(table string) (map[string]bool, error) {
	if s.pg {
		return s.pgColumns(table)
	}
	rows, err := s.db.Query(`SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrShape, err)
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		have[n] = true
	}
	return have, rows.Err()
}

// q is the query with the store's placeholders: SQLite's ?, Postgres's $n.
func (s *Store) q(query string) string {
	if !s.pg {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

// Accounts are the accounts with events, most events first.
func (s *Store) Accounts(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT account_id FROM events GROUP BY account_id ORDER BY count(*) DESC, account_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Page is one read: the events, the id through which everything is read
// (the next read starts after it), and whether ids above it wait to
// settle (Postgres: an insert not committed yet).
type Page struct {
	Events  []event.Event
	Through event.ID
	Waiting bool
}

// Read returns up to limit events of account with an id above after, in id
// order, that are settled (ReadPage).
func (s *Store) Read(ctx context.Context, account string, after event.ID, limit int) ([]event.Event, error) {
	p, err := s.ReadPage(ctx, account, after, limit)
	return p.Events, err
}

// ReadPage reads up to limit events of account after the id after. In
// SQLite ids are assigned at insert, one writer at a time, so among
// committed rows ids only grow and nothing is read twice or skipped; on
// Postgres they can commit out of order and the read stops below an id
// that may still come (readPostgres). One short read transaction; nothing
// is held while the caller delivers.
func (s *Store) ReadPage(ctx context.Context, account string, after event.ID, limit int) (Page, error) {
	if s.pg {
		return s.readPostgres(ctx, account, after, limit)
	}
	evs, err := s.read(ctx, s.db, account, after, math.MaxInt64, limit)
	p := Page{Events: evs, Through: after}
	if len(evs) > 0 {
		p.Through = evs[len(evs)-1].ID
	}
	return p, err
}

// querier is a connection or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// read is the events of account with after < id <= upTo, at most limit.
func (s *Store) read(ctx context.Context, db querier, account string, after, upTo event.ID, limit int) ([]event.Event, error) {
	rows, err := db.QueryContext(ctx, s.q(`SELECT e.id, e.timestamp, e.activity, e.initiator_id, e.target_id, e.meta,
		u.name, u.email, u.enc_algo, t.name, t.email, t.enc_algo
		FROM events e LEFT JOIN deleted_users u ON u.id = e.initiator_id LEFT JOIN deleted_users t ON t.id = e.target_id
		WHERE e.account_id = ? AND e.id > ? AND e.id <= ? ORDER BY e.id LIMIT ?`), account, int64(after), int64(upTo), limit)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", s.name, err)
	}
	defer rows.Close()
	var out []event.Event
	for rows.Next() {
		var (
			id                                         int64
			ts, rawAct                                 any
			initiator, target, meta                    sql.NullString
			uName, uEmail, uAlgo, tName, tEmail, tAlgo sql.NullString
		)
		if err := rows.Scan(&id, &ts, &rawAct, &initiator, &target, &meta, &uName, &uEmail, &uAlgo, &tName, &tEmail, &tAlgo); err != nil {
			return nil, fmt.Errorf("read %s: %w", s.name, err)
		}
		act, ok := activityNumber(rawAct)
		if !ok {
			// One odd row never stops the rows after it: it is forwarded
			// as the API source forwards an entry it cannot read.
			out = append(out, unreadableRow(event.ID(id), timestamp(ts), rawAct))
			continue
		}
		e := event.Event{ID: event.ID(id), Timestamp: timestamp(ts), InitiatorID: initiator.String, TargetID: target.String, Meta: event.Meta{}}
		if a, ok := event.ByNumber(act); ok {
			e.ActivityCode, e.Activity = a.Code, a.Activity
		} else {
			e.ActivityCode, e.Activity = "unknown."+strconv.Itoa(act), "Unknown activity "+strconv.Itoa(act)
		}
		e.Meta = renderMeta(meta.String)
		// A deleted user's name and e-mail, or NetBird's words for one it
		// cannot open (no key, or another key): unknown, unknown@unknown.com.
		if uName.Valid {
			e.InitiatorName, e.InitiatorEmail = s.open(uName.String, uAlgo.String, fallbackName), s.open(uEmail.String, uAlgo.String, fallbackEmail)
		}
		if tName.Valid {
			if tName.String != "" {
				e.Meta = setMeta(e.Meta, "username", s.open(tName.String, tAlgo.String, fallbackName))
			}
			if tEmail.String != "" {
				e.Meta = setMeta(e.Meta, "email", s.open(tEmail.String, tAlgo.String, fallbackEmail))
			}
		}
		if e.ActivityCode == "user.join" {
			key := e.TargetID + "|" + e.InitiatorID + "|" + account
			if s.seenJoins[key] {
				continue
			}
			s.seenJoins[key] = true
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// activityNumber is the stored activity as the integer NetBird writes; a
// value SQLite keeps as another type (NULL, text, 1.5) is not one.
func activityNumber(v any) (int, bool) {
	switch n := v.(type) {
	case int64:
		return int(n), true
	case float64:
		if n == float64(int(n)) {
			return int(n), true
		}
	case string:
		if i, err := strconv.Atoi(n); err == nil {
			return i, true
		}
	case []byte:
		if i, err := strconv.Atoi(string(n)); err == nil {
			return i, true
		}
	}
	return 0, false
}

// unreadableRow stands in for a row whose activity is not a number: its id
// keeps the cursor moving, in order, and meta says what was stored.
func unreadableRow(id event.ID, ts string, act any) event.Event {
	return event.Event{ID: id, Timestamp: ts, ActivityCode: event.CodeUnreadable,
		Activity: "Audit entry birdseye could not read (its raw text is in meta.raw)", InitiatorID: "sys",
		Meta: event.Meta{{Key: "raw", Value: fmt.Sprintf("activity=%v", act)}, {Key: "error", Value: "events.db row: the activity is not a number"}}}
}

// timestamp renders the stored time ("2026-11-29 15:40:03.421387276+00:00",
// or a time the driver parsed) as the API does: RFC 3339, UTC, nanoseconds.
func timestamp(v any) string {
	switch t := v.(type) {
	case time.Time:
		return t.UTC().Format(time.RFC3339Nano)
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05"} {
			if p, err := time.Parse(layout, t); err == nil {
				return p.UTC().Format(time.RFC3339Nano)
			}
		}
		return t
	}
	return fmt.Sprint(v)
}

// renderMeta is the server's output of meta: each value of the stored
// JSON, decoded into any, printed with %v, keys in the stored order.
func renderMeta(raw string) event.Meta {
	out := event.Meta{}
	if strings.TrimSpace(raw) == "" || raw == "null" {
		return out
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return out
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return out
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return out
		}
		out = append(out, event.MetaField{Key: fmt.Sprint(k), Value: fmt.Sprintf("%v", v)})
	}
	return out
}

func setMeta(m event.Meta, key, value string) event.Meta {
	for i := range m {
		if m[i].Key == key {
			m[i].Value = value
			return m
		}
	}
	return append(m, event.MetaField{Key: key, Value: value})
}

// NetBird's activity store writes these for a field it cannot decrypt
// (management/server/activity/store/sql_store.go).
const (
	fallbackName  = "unknown"
	fallbackEmail = "unknown@unknown.com"
)

// open is decrypt with NetBird's fallback for a field that is set but
// does not open.
func (s *Store) open(v, algo, fallback string) string {
	if v == "" {
		return ""
	}
	if plain := s.decrypt(v, algo); plain != "" {
		return plain
	}
	return fallback
}

// decrypt opens a deleted user's field: base64(nonce ‖ ciphertext ‖ tag),
// AES-256-GCM with the store key. Without the key, or for another
// algorithm, the field stays empty, as the API leaves what it cannot read.
func (s *Store) decrypt(v, algo string) string {
	if s.gcm == nil || v == "" || !strings.EqualFold(algo, "GCM") {
		return ""
	}
	raw, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(raw) < s.gcm.NonceSize() {
		return ""
	}
	plain, err := s.gcm.Open(nil, raw[:s.gcm.NonceSize()], raw[s.gcm.NonceSize():], nil)
	if err != nil {
		return ""
	}
	return string(plain)
}

func (s *Store) maxID(ctx context.Context, account string) (event.ID, error) {
	var n sql.NullInt64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT max(id) FROM events WHERE account_id = ?`), account).Scan(&n)
	return event.ID(n.Int64), err
}

func (s *Store) minID(ctx context.Context, account string) (event.ID, error) {
	var n sql.NullInt64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT min(id) FROM events WHERE account_id = ?`), account).Scan(&n)
	return event.ID(n.Int64), err
}

// DeletedUsers counts the deleted users and how many the key opens: doctor
// shows whether names of deleted users will come back.
func (s *Store) DeletedUsers(ctx context.Context) (total, readable int, err error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, enc_algo FROM deleted_users`)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, algo sql.NullString
		if err := rows.Scan(&name, &algo); err != nil {
			return total, readable, err
		}
		total++
		if s.decrypt(name.String, algo.String) != "" {
			readable++
		}
	}
	return total, readable, rows.Err()
}

// MaxID is the newest event id of the account.
func (s *Store) MaxID(ctx context.Context, account string) (event.ID, error) {
	return s.maxID(ctx, account)
}
