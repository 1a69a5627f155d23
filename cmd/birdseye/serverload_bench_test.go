package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/styliteag/birdseye/internal/netbird/fake"
)

// BenchmarkServerLoad is what birdseye's audit polling asks of the
// management server, by source: the requests to /api/events/audit and to
// any path, the bytes they carry and the CPU the (fake) server spent answering, per
// minute, over BIRDSEYE_LOAD_SECONDS (default 30) at a 1 s poll interval
// with 10,000 events in the account. The fake is a stand-in for the real
// server: its CPU figure shows the difference between the sources, not
// what NetBird itself spends (that also reads and joins its store).
func BenchmarkServerLoad(b *testing.B) {
	secs := 30
	if v, err := strconv.Atoi(os.Getenv("BIRDSEYE_LOAD_SECONDS")); err == nil && v > 0 {
		secs = v
	}
	for _, source := range []string{"api", "db"} {
		b.Run(source, func(b *testing.B) {
			f := fake.New()
			f.AddN(10000, "group.add", "g")
			var audits, all, bytes atomic.Int64
			api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				all.Add(1)
				if r.URL.Path == "/api/events/audit" {
					audits.Add(1)
				}
				f.ServeHTTP(&countingWriter{ResponseWriter: w, n: &bytes}, r)
			}))
			b.Cleanup(api.Close)
			path, db := newEventsDB(b, "dc1uer5qmd2qmv54vjl0")
			tx, _ := db.Begin()
			for i := range 10000 {
				tx.Exec(`INSERT INTO events (timestamp, activity, initiator_id, target_id, account_id, meta) VALUES ('2026-11-29 15:41:00+00:00', 16, 'sys', ?, 'dc1uer5qmd2qmv54vjl0', '{}')`, i)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			for range b.N {
				env := []string{"PATH=" + os.Getenv("PATH"), "NB_URL=" + api.URL, "NB_API_KEY=" + fake.AuditorToken,
					"STATE_FILE=" + filepath.Join(b.TempDir(), "state.json"), "WATCH=off", "CHANGE_DIFFS=off", "CRON_CLEANUP_EPHEMERAL=",
					"POLL_INTERVAL=1", "EVENTS_SOURCE=" + source, "EVENTS_DB=" + path, "EVENTS_DB_POLL_INTERVAL=1"}
				cmd := startBench(b, env)
				time.Sleep(3 * time.Second) // start-up: the account, the first boot
				audits.Store(0)
				all.Store(0)
				bytes.Store(0)
				cpu0 := processCPU()
				time.Sleep(time.Duration(secs) * time.Second)
				cpu := processCPU() - cpu0
				n, total, sent := audits.Load(), all.Load(), bytes.Load()
				cmd.Process.Kill()
				cmd.Wait()
				perMin := 60 / float64(secs)
				b.ReportMetric(float64(n)*perMin, "audit-requests/min")
				b.ReportMetric(float64(total)*perMin, "requests/min")
				b.ReportMetric(float64(sent)*perMin/1e6, "MB/min")
				b.ReportMetric(float64(cpu.Milliseconds())*perMin, "server-cpu-ms/min")
			}
		})
	}
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n.Add(int64(len(p)))
	return c.ResponseWriter.Write(p)
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
