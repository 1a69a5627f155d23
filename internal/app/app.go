// Package app turns a validated configuration into the running forwarder:
// it builds the NetBird client, the sinks and the poll loop, says at start
// what it is going to do, and runs until its context ends.
package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/styliteag/birdseye/internal/audit"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/initiator"
	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/stdout"
	"github.com/styliteag/birdseye/internal/state"
	"github.com/styliteag/birdseye/internal/version"
)

// Options change how Run behaves for `birdseye demo`.
type Options struct {
	// Simulated is true when NB_URL is birdseye's own simulated server:
	// the rate-limit advice does not apply there.
	Simulated bool
}

// Run runs the forwarder. It returns nil when ctx ends, and an error wrapping
// audit.ErrFatal when restarting cannot help.
func Run(ctx context.Context, cfg *config.Config, log *slog.Logger, out io.Writer, opt Options) error {
	client, err := netbird.New(cfg.NetBird.URL, cfg.NetBird.APIKey.Reveal())
	if err != nil {
		return err
	}
	d := Sinks(cfg, log, out)
	f := cfg.Forwarder
	log.Info("birdseye starting",
		"version", version.Version,
		"nb_url", client.BaseURL(),
		"poll_interval", f.PollInterval.D(),
		"state_file", f.StateFile,
		"sinks", strings.Join(d.Names(), ","),
		"tz", cfg.Log.TZ.Name)
	if f.PollInterval.D().Seconds() < 10 && !opt.Simulated {
		log.Warn("POLL_INTERVAL is under 10 s: with NetBird's optional API rate limiter on (6 requests a minute per token) polls will get 429 answers",
			"poll_interval", f.PollInterval.D())
	}
	p := audit.New(audit.Config{
		Interval:         f.PollInterval.D(),
		BackoffCap:       f.BackoffCap.D(),
		OutageAlertAfter: f.OutageAlertAfter.D(),
		BacklogWarn:      int(f.BacklogWarnThreshold),
		Backfill:         int(f.Backfill),
		HeartbeatFile:    state.HeartbeatPath(f.StateFile),
	}, client, state.File{Path: f.StateFile}, d, initiator.New(client, log), audit.LogAlerter{Log: log}, log)
	return p.Run(ctx)
}

// Sinks builds the dispatcher for the configured sinks, warning about
// filters that can never match.
func Sinks(cfg *config.Config, log *slog.Logger, out io.Writer) *sink.Dispatcher {
	d := &sink.Dispatcher{MaxCatchup: int(cfg.Forwarder.MaxCatchup)}
	d.Routes = append(d.Routes, sink.Route{
		Sink:   stdout.New(out, cfg.Log.TZ.Loc),
		Filter: filter(log, "STDOUT", cfg.Stdout.Include, cfg.Stdout.Exclude),
	})
	return d
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
