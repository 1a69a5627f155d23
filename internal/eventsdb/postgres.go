package eventsdb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	_ "github.com/lib/pq" // 0.45 MB; pgx would add 3.2 MB

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/pgdsn"
)

// GapWait is how long, by default (EVENTS_DB_GAP_WAIT), a missing id below
// a visible one is waited for on Postgres before it counts as never coming. NetBird writes each event in
// its own short transaction on one of several connections, so an id can
// become visible after a higher one; an id that is still missing after
// this long belongs to an insert that was rolled back, or to sequence
// values Postgres skipped after a crash or failover.
const GapWait = time.Minute

func openPostgres(dsn, key string) (*Store, error) {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("the Postgres activity store %s: %w", pgdsn.Redact(dsn), err)
	}
	// One connection: reads are short and one at a time.
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(5 * time.Minute)
	where := pgdsn.Redact(dsn)
	s := &Store{db: db, pg: true, seenJoins: map[string]bool{}, path: where, key: key, name: "the Postgres activity store",
		gaps: gapWait{bound: GapWait, seen: map[event.ID]time.Time{}, now: time.Now}}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to the Postgres activity store %s: %w", where, err)
	}
	return s.ready(key)
}

// SetGapWait sets how long a missing id is waited for (Postgres only).
func (s *Store) SetGapWait(d time.Duration) {
	if d > 0 {
		s.gaps.bound = d
	}
}

// pgColumns reads the catalog, which shows a table's columns also to a
// role that may not read it; that is then said, with the grant it lacks.
func (s *Store) pgColumns(table string) (map[string]bool, error) {
	var exists, readable bool
	err := s.db.QueryRow(`SELECT to_regclass($1) IS NOT NULL, to_regclass($1) IS NOT NULL AND has_table_privilege(to_regclass($1), 'SELECT')`, table).Scan(&exists, &readable)
	if err != nil {
		return nil, fmt.Errorf("read the Postgres activity store's tables: %w", err)
	}
	if !exists {
		return nil, fmt.Errorf("%w: there is no table %s (is this the database of NB_ACTIVITY_EVENT_POSTGRES_DSN?)", ErrShape, table)
	}
	if !readable {
		return nil, fmt.Errorf("the role may not read table %s; expected: GRANT SELECT ON events, deleted_users TO <the role of EVENTS_DB>", table)
	}
	rows, err := s.db.Query(`SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`, table)
	if err != nil {
		return nil, fmt.Errorf("read the Postgres activity store's columns: %w", err)
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

// readPostgres reads in one read-only snapshot: the ids above after, of
// every account (ids are shared), to find how far they are settled, then
// the account's events up to there.
func (s *Store) readPostgres(ctx context.Context, account string, after event.ID, limit int) (Page, error) {
	p := Page{Through: after}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return p, fmt.Errorf("read %s: %w", s.name, err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id FROM events WHERE id > $1 ORDER BY id LIMIT $2`, int64(after), limit)
	if err != nil {
		return p, fmt.Errorf("read %s: %w", s.name, err)
	}
	var ids []event.ID
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return p, fmt.Errorf("read %s: %w", s.name, err)
		}
		ids = append(ids, event.ID(id))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return p, fmt.Errorf("read %s: %w", s.name, err)
	}
	through, waiting := s.gaps.settle(after, ids)
	if through == after {
		p.Waiting = waiting
		return p, nil
	}
	p.Events, err = s.read(ctx, tx, account, after, through, limit)
	if err != nil {
		return Page{Through: after}, err
	}
	p.Through, p.Waiting = through, waiting
	if len(p.Events) == limit {
		p.Through, p.Waiting = p.Events[len(p.Events)-1].ID, true
	}
	return p, nil
}

// gapWait decides how far ids are settled: every id up to there is either
// read or known never to come. A missing id is waited for bound from when
// it was first seen missing below a visible one; every gap in view ages at
// once, so a row of rolled-back inserts costs one wait, not one each. Kept
// in memory only: a restart waits afresh (later, never lost or twice).
type gapWait struct {
	bound time.Duration
	seen  map[event.ID]time.Time // a gap's first missing id: when first seen
	now   func() time.Time
}

// settle walks the visible ids above after (ascending) and returns the
// highest settled id, and whether a gap holds the rest back.
func (g *gapWait) settle(after event.ID, ids []event.ID) (event.ID, bool) {
	for id := range g.seen {
		if id <= after {
			delete(g.seen, id) // behind the reader for good
		}
	}
	now := g.now()
	through, prev, held := after, after, false
	for _, id := range ids {
		if id > prev+1 { // prev+1 … id-1 are missing
			first, ok := g.seen[prev+1]
			if !ok {
				g.seen[prev+1], first = now, now
			}
			if now.Sub(first) < g.bound {
				held = true // an insert that may still commit
			}
		}
		if !held {
			through = id
		}
		prev = id
	}
	return through, held
}
