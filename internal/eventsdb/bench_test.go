package eventsdb

import (
	"fmt"
	"testing"

	"github.com/styliteag/birdseye/internal/pgtest"
)

// BenchmarkPoll1M: a store of 1,000,000 events with 5 new: a poll reads
// the 5, whatever the table's size (the API re-sends 10,000).
func BenchmarkPoll1M(b *testing.B) {
	path, db := newStore(b)
	tx, _ := db.Begin()
	stmt, _ := tx.Prepare(`INSERT INTO events (timestamp, activity, initiator_id, target_id, account_id, meta) VALUES (?, 16, 'admin', ?, 'acc', '{"name":"g"}')`)
	for i := range 1_000_005 {
		stmt.Exec(fmt.Sprintf("2026-11-29 15:40:%02d.000000001+00:00", i%60), fmt.Sprint(i))
	}
	stmt.Close()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	s, err := Open(path, "")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ReportAllocs()
	for b.Loop() {
		evs, err := s.Read(b.Context(), "acc", 1_000_000, 10_000)
		if err != nil || len(evs) != 5 {
			b.Fatalf("%d events, %v", len(evs), err)
		}
	}
}

// BenchmarkPostgresPoll1M: the same on a real PostgreSQL: 1,000,000 events,
// 5 new, read through the reader role as the daemon reads them (the
// settled-ids query and the events, in one read-only transaction).
func BenchmarkPostgresPoll1M(b *testing.B) {
	srv := pgtest.Start(b)
	srv.Exec("postgres", `CREATE DATABASE netbird`, `CREATE ROLE birdseye LOGIN PASSWORD 'reader-pw'`)
	srv.Exec("netbird", pgSchema, `GRANT SELECT ON events, deleted_users TO birdseye`,
		`INSERT INTO events (timestamp, activity, initiator_id, target_id, account_id, meta)
			SELECT now(), 16, 'admin', i::text, 'acc', '{"name":"g"}' FROM generate_series(1, 1000005) i`,
		`ANALYZE events`)
	s, err := Open(srv.DSN("birdseye", "reader-pw", "netbird"), "")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ReportAllocs()
	for b.Loop() {
		evs, err := s.Read(b.Context(), "acc", 1_000_000, 10_000)
		if err != nil || len(evs) != 5 {
			b.Fatalf("%d events, %v", len(evs), err)
		}
	}
}
