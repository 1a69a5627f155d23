package jobs

import (
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/monitor"
	"github.com/styliteag/birdseye/internal/updates"
	"github.com/styliteag/birdseye/internal/version"
)

// UpdateChecker is the update check of cfg: the server, the peers, and the
// release sources that are on.
func UpdateChecker(cfg *config.Config, api updates.API) updates.Checker {
	c := updates.Checker{API: api, Birdseye: version.Version}
	if w := cfg.Watch; w.UpdateSourceOn() {
		c.Release = updates.URLSource{URL: strings.TrimSpace(w.UpdateSource)}
	}
	if u := strings.TrimSpace(cfg.Watch.UpdateBirdseye); u != "" {
		c.Own = updates.URLSource{URL: u}
	}
	return c
}

// UpdateWatch is the daily update check the daemon runs beside the watch
// (WATCH=on), or nil when the watch is off.
func UpdateWatch(cfg *config.Config, api updates.API, out updates.Dispatcher, log *slog.Logger, m *metrics.M) *updates.Loop {
	if !bool(cfg.Watch.On) {
		return nil
	}
	spool := cfg.Monitor.CheckmkDir
	if problem, _ := monitor.SpoolProblem(spool); spool != "" && problem != "" {
		spool = "" // said once at start (spoolWarning)
	}
	return &updates.Loop{Checker: UpdateChecker(cfg, api), Interval: 24 * time.Hour, Jitter: time.Hour,
		StateFile: filepath.Join(filepath.Dir(cfg.Forwarder.StateFile), "updates.json"),
		Out:       out, Log: log.With("loop", "updates"), Metrics: m, Checkmk: spool}
}
