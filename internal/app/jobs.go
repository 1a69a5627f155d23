package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/allowping"
	"github.com/styliteag/birdseye/internal/posture"
	"github.com/styliteag/birdseye/internal/sink/email"

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
	m := cfg.Maintenance
	spec := cfg.Schedule.Maintenance
	if spec != "" && m.PostureCheck == "" && !m.AllowPing {
		log.Warn("netbird-maintenance is off: CRON_NETBIRD_MAINTENANCE is set but neither MAINTENANCE_POSTURE_CHECK nor MAINTENANCE_ALLOW_PING says what to do")
		spec = ""
	}
	err = add("netbird-maintenance", "CRON_NETBIRD_MAINTENANCE", spec, func(ctx context.Context, out *lineLog) error {
		err := maintenance(ctx, admin, m, out)
		if err != nil {
			notifyFailure(ctx, cfg, log, "netbird-maintenance", err, out.text.String())
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// maintenance is the old netbird_maintenance job: attach the posture check
// first (the ICMP companions copy posture checks), then reconcile the
// companions. The steps are independent: one failing does not stop the other.
func maintenance(ctx context.Context, admin *netbird.Client, m config.Maintenance, out io.Writer) error {
	var errs []error
	if m.PostureCheck != "" {
		if _, err := posture.Run(ctx, admin, posture.Options{Check: m.PostureCheck, Policy: m.PostureRule, DryRun: bool(m.DryRun)}, out); err != nil {
			errs = append(errs, fmt.Errorf("posture add %s: %w", m.PostureCheck, err))
		}
	}
	if m.AllowPing {
		if _, err := allowping.Run(ctx, admin, allowping.Options{DryRun: bool(m.DryRun)}, out); err != nil {
			errs = append(errs, fmt.Errorf("allow-ping: %w", err))
		}
	}
	return errors.Join(errs...)
}

// notifyFailure mails a failed job's error and report when SMTP is set up
// (SMTP_HOST, SMTP_FROM and a recipient), whatever EMAIL_MODE says.
func notifyFailure(ctx context.Context, cfg *config.Config, log *slog.Logger, job string, jobErr error, report string) {
	mc := mailConfig(cfg)
	if to := strings.TrimSpace(cfg.Maintenance.EmailTo); to != "" && job == "netbird-maintenance" {
		mc.To = nil
		for _, a := range strings.Split(to, ",") {
			if a = strings.TrimSpace(a); a != "" {
				mc.To = append(mc.To, a)
			}
		}
	}
	if mc.Host == "" || mc.From == "" || len(mc.To) == 0 {
		return
	}
	host, _ := os.Hostname()
	body := fmt.Sprintf("%s failed on %s at %s UTC:\n\n  %v\n\nWhat it reported:\n\n%s", job, host, time.Now().UTC().Format("2006-01-02 15:04:05"), jobErr, report)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := email.New(mc, cfg.Log.TZ.Loc).Send(ctx, fmt.Sprintf("[NetBird] %s failed (%s)", job, host), body); err != nil {
		log.Error("failure notice not mailed", "job", job, "err", err)
	}
}

// lineLog turns a job's report into log lines (stdout is for events only),
// and keeps the whole report for a failure notice.
type lineLog struct {
	log  *slog.Logger
	buf  bytes.Buffer
	text strings.Builder
}

func (l *lineLog) Write(p []byte) (int, error) {
	l.text.Write(p)
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
