package main

import (
	"bufio"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/styliteag/birdseye/internal/netbird/fake"
)

// BenchmarkDBInsertToStdout: from an insert into events.db to its line on
// the daemon's stdout, at the default EVENTS_DB_POLL_INTERVAL of 1 s.
func BenchmarkDBInsertToStdout(b *testing.B) {
	path, db := newEventsDB(b, "dc1uer5qmd2qmv54vjl0")
	insertToStdout(b, path, func(target string) error {
		_, err := db.Exec(`INSERT INTO events (timestamp, activity, initiator_id, target_id, account_id, meta) VALUES ('2026-11-29 15:41:00+00:00', 16, 'sys', ?, 'dc1uer5qmd2qmv54vjl0', '{}')`, target)
		return err
	})
}

// BenchmarkPostgresInsertToStdout: the same from a Postgres activity store
// (a real PostgreSQL, read through a read-only role).
func BenchmarkPostgresInsertToStdout(b *testing.B) {
	srv := pgtestStart(b)
	db := srv.Admin("netbird")
	insertToStdout(b, srv.DSN("birdseye", "reader-pw", "netbird"), func(target string) error {
		_, err := db.Exec(`INSERT INTO events (timestamp, activity, initiator_id, target_id, account_id, meta) VALUES (now(), 16, 'sys', $1, 'dc1uer5qmd2qmv54vjl0', '{}')`, target)
		return err
	})
}

// insertToStdout runs the daemon on the store and times each insert until
// its line is on stdout; worst-ms is the longest.
func insertToStdout(b *testing.B, store string, insert func(target string) error) {
	api := httptest.NewServer(fake.New())
	b.Cleanup(api.Close)
	cmd := exec.Command(binPath, "run")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "NB_URL=" + api.URL, "NB_API_KEY=" + fake.AuditorToken, "STATE_FILE=" + filepath.Join(b.TempDir(), "state.json"),
		"WATCH=off", "CHANGE_DIFFS=off", "EVENTS_SOURCE=db", "EVENTS_DB=" + store, "CRON_CLEANUP_EPHEMERAL="}
	cmd.Dir = b.TempDir()
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	time.Sleep(2 * time.Second) // first boot: seeded
	var worst time.Duration
	b.ResetTimer()
	for i := range b.N {
		target := "bench-" + strings.Repeat("x", i%3) + time.Now().Format("150405.000000")
		start := time.Now()
		if err := insert(target); err != nil {
			b.Fatal(err)
		}
		for line := range lines {
			if strings.Contains(line, "target="+target) {
				break
			}
		}
		worst = max(worst, time.Since(start))
	}
	b.ReportMetric(float64(worst.Milliseconds()), "worst-ms")
}
