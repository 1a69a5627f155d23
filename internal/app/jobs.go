package app

import (
	"bytes"
	"context"
	"log/slog"
	"time"

	"github.com/styliteag/birdseye/internal/cleanup"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/schedule"
)

// jobs builds the scheduler with every job the configuration enables. A job
// whose prerequisites are missing is left out with one warning naming them.
func jobs(cfg *config.Config, log *slog.Logger) (*schedule.Scheduler, error) {
	s := schedule.New(cfg.Log.TZ.Loc, log)
	var admin *netbird.Client
	if cfg.NetBird.AdminKey != "" {
		var err error
		if admin, err = netbird.New(cfg.NetBird.URL, cfg.NetBird.AdminKey.Reveal()); err != nil {
			return nil, err
		}
	}
	// add registers a job that needs the admin token, or warns once.
	add := func(name, variable, spec string, run func(ctx context.Context, out *lineLog) error) error {
		if spec == "" {
			return nil
		}
		if admin == nil {
			log.Warn(name+" is off: "+variable+" is set but NB_ADMIN_API_KEY is empty (unset "+variable+" to silence this)", "missing", "NB_ADMIN_API_KEY")
			return nil
		}
		return s.Add(schedule.Job{Name: name, Spec: spec, Run: func(ctx context.Context) error {
			return run(ctx, &lineLog{log: log.With("job", name)})
		}})
	}
	err := add("cleanup-ephemeral", "CRON_CLEANUP_EPHEMERAL", cfg.Schedule.CleanupEphemeral, func(ctx context.Context, out *lineLog) error {
		_, err := cleanup.Ephemeral(ctx, admin, cleanup.Options{MinAge: time.Hour}, time.Now(), out)
		return err
	})
	if err != nil {
		return nil, err
	}
	p := cfg.Prune
	err = add("prune-peers", "CRON_PRUNE_PEERS", cfg.Schedule.PrunePeers, func(ctx context.Context, out *lineLog) error {
		_, err := cleanup.Prune(ctx, admin, cleanup.PruneOptions{OfflineFor: time.Duration(p.OfflineDays) * 24 * time.Hour,
			Protect: p.ProtectGroups.Globs, Max: int(p.Max), Apply: true}, time.Now(), out)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// lineLog turns a job's report into log lines (stdout is for events only).
type lineLog struct {
	log *slog.Logger
	buf bytes.Buffer
}

func (l *lineLog) Write(p []byte) (int, error) {
	l.buf.Write(p)
	for {
		line, err := l.buf.ReadString('\n')
		if err != nil {
			l.buf.WriteString(line) // no newline yet: keep for the next write
			return len(p), nil
		}
		l.log.Info(line[:len(line)-1])
	}
}
