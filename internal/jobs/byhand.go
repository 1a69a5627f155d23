package jobs

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/styliteag/birdseye/internal/config"
)

// Work is a scheduled job's work: its report goes to out.
type Work func(ctx context.Context, out io.Writer) error

// ByHand runs a scheduled job's work once, by hand or from the host's
// cron, and reports it as the scheduled run does: the start and end pings,
// the Checkmk check (its summary is the report's last line) and the
// failure mail. Operators re-run a failed job by hand to clear its CRIT,
// as the Python tool's scripts allowed. The report goes to out. A warning
// (monitor.Warning) is reported as WARN and is no error.
func ByHand(ctx context.Context, cfg *config.Config, log *slog.Logger, variable string, out io.Writer, work Work) error {
	spec, ok := Lookup(variable)
	if !ok {
		return fmt.Errorf("no scheduled job is named by %s", variable)
	}
	job := monitored(cfg, log, spec, spec.Schedule(cfg.Schedule), func(ctx context.Context, l *lineLog) error {
		return work(ctx, io.MultiWriter(out, &l.text)) // the terminal, and the summary; not the log
	})
	return job.Run(ctx)
}
