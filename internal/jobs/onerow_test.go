package jobs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/monitor"
)

// withRow adds a row to the table for the test's length.
func withRow(t *testing.T, row Spec) {
	saved := Table
	Table = append(append([]Spec{}, Table...), row)
	t.Cleanup(func() { Table = saved })
}

// Adding a job is one row: the scheduler schedules it, the daemon and
// doctor say what it lacks, and a run by hand writes its Checkmk check,
// with no other place to touch.
func TestOneRowIsAllASchedulerJobNeeds(t *testing.T) {
	var lacking []string
	withRow(t, Spec{Name: "probe", Variable: "CRON_PROBE", Ping: "PING_URL_PROBE",
		Schedule: func(config.Schedule) string { return "@every 1h" },
		PingURL:  func(config.Monitor) config.Secret { return "" },
		Needs:    func(*config.Config) []string { return lacking },
		Check:    monitor.Check{File: "netbird_probe", Service: "NetBird_Probe", Label: "probe"},
		Build: func(*config.Config, Deps) (Work, error) {
			return func(_ context.Context, out io.Writer) error { fmt.Fprintln(out, "probed 3 things"); return nil }, nil
		}})
	spool := t.TempDir()
	cfg := &config.Config{Log: config.Log{TZ: config.Location{Name: "UTC", Loc: time.UTC}}, Monitor: config.Monitor{CheckmkDir: spool}}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	s, err := Scheduler(cfg, log, metrics.New())
	require.NoError(t, err)
	var names []string
	for _, j := range s.Jobs() {
		names = append(names, j.Name+" "+j.Spec)
	}
	require.Contains(t, names, "probe @every 1h")

	sp, ok := Lookup("CRON_PROBE")
	require.True(t, ok)
	work, err := sp.Build(cfg, Deps{})
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, ByHand(t.Context(), cfg, log, "CRON_PROBE", &out, work))
	require.Equal(t, "probed 3 things\n", out.String())
	b, err := os.ReadFile(filepath.Join(spool, "7200_netbird_probe.txt"))
	require.NoError(t, err)
	require.Regexp(t, `^0 NetBird_Probe - .* ok in 0s; probed 3 things\n$`, string(b))

	lacking = []string{"PROBE_TARGET (what to probe)"}
	var off []string
	for _, o := range JobsOff(cfg) {
		off = append(off, o.Text())
	}
	require.Contains(t, off, "probe is off: CRON_PROBE is set but these are missing: PROBE_TARGET (what to probe) (set CRON_PROBE= empty to turn the job off)")
	s, err = Scheduler(cfg, log, metrics.New())
	require.NoError(t, err)
	for _, j := range s.Jobs() {
		require.NotEqual(t, "probe", j.Name, "a job that lacks something is left out")
	}
}
