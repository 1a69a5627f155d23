package jobs

import (
	"context"
	"io"
	"log/slog"

	"github.com/styliteag/birdseye/internal/config"
)

// Work is a scheduled job's work: its report goes to out.
type Work func(ctx context.Context, out io.Writer) error

// byHand are the jobs whose command is also run by hand, by the variable
// that schedules them: the job's name.
var byHand = map[string]string{
	"CRON_MIRROR_ACCOUNT": "mirror-account",
	"CRON_CLONE_STANDBY":  "clone-standby",
	"CRON_BACKUP_OFFSITE": "backup-offsite",
}

// ByHand runs a scheduled job's work once, by hand or from the host's
// cron, and reports it as the scheduled run does: the start and end pings,
// the Checkmk check (its summary is the report's last line) and, inside
// the work, the failure mail. Operators re-run a failed job by hand to
// clear its CRIT, as the Python tool's scripts allowed. The report goes to
// out. A warning (monitor.Warning) is reported as WARN and is no error.
func ByHand(ctx context.Context, cfg *config.Config, log *slog.Logger, variable string, out io.Writer, work Work) error {
	job := monitored(cfg, log, byHand[variable], variable, scheduleOf(cfg.Schedule, variable), func(ctx context.Context, l *lineLog) error {
		return work(ctx, io.MultiWriter(out, &l.text)) // the terminal, and the summary; not the log
	})
	return job.Run(ctx)
}

// scheduleOf is the job's cron spec, for how soon its check is stale
// ("" when it is not scheduled: an hour).
func scheduleOf(s config.Schedule, variable string) string {
	switch variable {
	case "CRON_MIRROR_ACCOUNT":
		return s.Mirror
	case "CRON_CLONE_STANDBY":
		return s.Clone
	case "CRON_BACKUP_OFFSITE":
		return s.Offsite
	}
	return ""
}
