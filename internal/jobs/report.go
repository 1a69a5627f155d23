package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/changes"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/destinations"
	"github.com/styliteag/birdseye/internal/schedule"
	"github.com/styliteag/birdseye/internal/sink/email"
)

// addChangeReport schedules CHANGE_REPORT: the configuration changes since
// the previous report, mailed to SMTP_TO. What it needs and lacks is said
// once at start.
func addChangeReport(s *schedule.Scheduler, cfg *config.Config, log *slog.Logger) error {
	spec := cfg.Schedule.ChangeReport
	if spec == "" {
		return nil
	}
	if !cfg.Watch.ChangeDiffs {
		log.Warn("change-report is off: CHANGE_REPORT is set but CHANGE_DIFFS=off records no changes")
		return nil
	}
	mc := destinations.MailConfig(cfg)
	if mc.Host == "" || mc.From == "" || len(mc.To) == 0 {
		log.Warn("change-report is off: CHANGE_REPORT is set but mail is not (SMTP_HOST, SMTP_FROM and SMTP_TO are needed)")
		return nil
	}
	dir := filepath.Dir(cfg.Forwarder.StateFile)
	return s.Add(monitored(cfg, log, "change-report", "CHANGE_REPORT", spec, func(ctx context.Context, out *lineLog) error {
		n, err := changes.MailReport(ctx, dir, email.New(mc, cfg.Log.TZ.Loc), cfg.Log.TZ.Loc, time.Now())
		if err == nil {
			fmt.Fprintf(out, "change report mailed: %d changes to %s\n", n, strings.Join(mc.To, ", "))
		}
		return err
	}))
}
