package eventsdb

import (
	"fmt"
	"testing"
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
