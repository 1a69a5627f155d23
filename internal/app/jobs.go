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
	if spec := cfg.Schedule.CleanupEphemeral; spec != "" {
		if cfg.NetBird.AdminKey == "" {
			log.Warn("ephemeral cleanup is off: CRON_CLEANUP_EPHEMERAL is set but NB_ADMIN_API_KEY is empty (unset CRON_CLEANUP_EPHEMERAL to silence this)",
				"missing", "NB_ADMIN_API_KEY")
		} else {
			admin, err := netbird.New(cfg.NetBird.URL, cfg.NetBird.AdminKey.Reveal())
			if err != nil {
				return nil, err
			}
			err = s.Add(schedule.Job{Name: "cleanup-ephemeral", Spec: spec, Run: func(ctx context.Context) error {
				out := &lineLog{log: log.With("job", "cleanup-ephemeral")}
				_, err := cleanup.Ephemeral(ctx, admin, cleanup.Options{MinAge: time.Hour}, time.Now(), out)
				return err
			}})
			if err != nil {
				return nil, err
			}
		}
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
