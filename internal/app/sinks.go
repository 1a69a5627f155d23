package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/styliteag/birdseye/internal/audit"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/outbox"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/mattermost"
	"github.com/styliteag/birdseye/internal/sink/stdout"
)

// sinks is everything the configuration asks to deliver to. This is the one
// place that maps configuration onto concrete sinks.
type sinks struct {
	dispatch *sink.Dispatcher
	drainers []*outbox.Drainer
	alerts   *alerts
	mm       *mattermost.Sink
}

func buildSinks(cfg *config.Config, log *slog.Logger, out io.Writer) (*sinks, error) {
	f := cfg.Forwarder
	s := &sinks{dispatch: &sink.Dispatcher{MaxCatchup: int(f.MaxCatchup)}, alerts: &alerts{log: log}}
	// stdout needs no outbox: it cannot be down, and it is never capped.
	s.dispatch.Routes = append(s.dispatch.Routes, sink.Route{
		Sink:   stdout.New(out, cfg.Log.TZ.Loc),
		Filter: filter(log, "STDOUT", cfg.Stdout.Include, cfg.Stdout.Exclude),
	})
	outboxes := filepath.Join(filepath.Dir(f.StateFile), "outbox")
	// Drainers retry from the poll interval (at most 5 s) up to the backoff cap.
	minBackoff := min(f.PollInterval.D(), 5*time.Second)
	add := func(name string, dst sink.Sink, flt event.Filter, takesAlerts bool) error {
		box, err := outbox.Open(filepath.Join(outboxes, name), name, int(f.SinkQueueMax))
		if err != nil {
			return err
		}
		s.dispatch.Routes = append(s.dispatch.Routes, sink.Route{Sink: box, Filter: flt})
		s.drainers = append(s.drainers, &outbox.Drainer{Box: box, Sink: dst, MaxCatchup: int(f.MaxCatchup),
			MinBackoff: minBackoff, MaxBackoff: f.BackoffCap.D(), Log: log})
		if takesAlerts {
			s.alerts.boxes = append(s.alerts.boxes, box)
		}
		return nil
	}
	if m := cfg.Mattermost; m.Enabled() {
		s.mm = mattermost.New(mattermost.Config{URL: m.WebhookURL.Reveal(), Username: m.Username, Channel: m.Channel, IconURL: m.IconURL}, cfg.Log.TZ.Loc)
		if err := add("mattermost", s.mm, filter(log, "MATTERMOST", m.Include, m.Exclude), true); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// startupProbes sends the *_STARTUP_TEST messages. Failures are logged, never
// fatal.
func (s *sinks) startupProbes(ctx context.Context, cfg *config.Config, log *slog.Logger) {
	if !cfg.Mattermost.StartupTest {
		return
	}
	if s.mm == nil {
		log.Info("mattermost startup test skipped: MATTERMOST_WEBHOOK_URL is empty")
		return
	}
	host, _ := os.Hostname()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := s.mm.Post(ctx, mattermost.ProbeText(host, time.Now())); err != nil {
		log.Error("mattermost startup test failed", "err", err)
		return
	}
	log.Info("mattermost startup test posted")
}

// alerts sends the poller's alerts to the log and, durably, to every sink
// that takes alerts.
type alerts struct {
	log   *slog.Logger
	boxes []*outbox.Box
}

func (a *alerts) send(text string) {
	for _, b := range a.boxes {
		if err := b.Enqueue(nil, []string{text}); err != nil {
			a.log.Error("alert not queued", "sink", b.Name(), "alert", text, "err", err)
		}
	}
}

func (a *alerts) Outage(_ context.Context, d time.Duration, cause error) {
	text := audit.OutageText(d, cause)
	a.log.Error(text)
	a.send(text)
}

func (a *alerts) Recovered(_ context.Context, d time.Duration) {
	text := audit.RecoveryText(d)
	a.log.Info(text)
	a.send(text)
}

func (a *alerts) Gap(_ context.Context, from, to event.ID) {
	text := audit.GapText(from, to)
	a.log.Error(text)
	a.send(text)
}

func filter(log *slog.Logger, prefix string, inc, exc config.Globs) event.Filter {
	if len(inc.Globs) == 0 {
		log.Warn(fmt.Sprintf("%s_INCLUDE is set but empty: this sink forwards nothing (unset it for the default)", prefix))
	}
	for _, list := range []struct {
		name string
		g    config.Globs
	}{{prefix + "_INCLUDE", inc}, {prefix + "_EXCLUDE", exc}} {
		for _, g := range list.g.Globs {
			if event.MatchesNoKnownCode(g) {
				log.Warn("filter pattern matches no NetBird activity code; check its spelling", "variable", list.name, "pattern", g.String())
			}
		}
	}
	return event.Filter{Include: inc.Globs, Exclude: exc.Globs}
}
