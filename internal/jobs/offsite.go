package jobs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/backup"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/destinations"
	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/offsite"
	"github.com/styliteag/birdseye/internal/schedule"
	"github.com/styliteag/birdseye/internal/sink/email"
	"github.com/styliteag/birdseye/internal/sshremote"
)

// OffsiteOptions is `backup offsite` from the configuration. Known hosts
// default to the state directory, which survives a new image.
func OffsiteOptions(o config.Offsite, stateFile string, loc *time.Location) offsite.Options {
	return offsite.Options{
		Remote: sshremote.Config{Host: o.Host, Port: int(o.Port), KeyFile: o.KeyPath(), Strict: o.Strict, Vars: "OFFSITE",
			KnownHosts: sshremote.KnownHostsFile(o.KnownHosts, filepath.Dir(stateFile))},
		RemoteDir: o.RemoteDir, Paths: config.SplitComma(o.Paths), DBPaths: config.SplitComma(o.DBPaths),
		BaseDir: o.BaseDir, Exclude: config.SplitComma(o.Exclude), Prefix: o.Prefix, Keep: int(o.Keep),
		WorkDir: o.WorkDir, Loc: loc,
	}
}

// addOffsite schedules CRON_BACKUP_OFFSITE. A failure is mailed in the
// old tool's words; monitored writes the Checkmk check and pings.
func addOffsite(s *schedule.Scheduler, cfg *config.Config, log *slog.Logger, m *metrics.M, off map[string]bool) error {
	spec := cfg.Schedule.Offsite
	if spec == "" || off["CRON_BACKUP_OFFSITE"] {
		return nil
	}
	o := OffsiteOptions(cfg.Offsite, cfg.Forwarder.StateFile, cfg.Log.TZ.Loc)
	work := OffsiteWork(cfg, log, m, o)
	return s.Add(monitored(cfg, log, "backup-offsite", "CRON_BACKUP_OFFSITE", spec, func(ctx context.Context, out *lineLog) error { return work(ctx, out) }))
}

// OffsiteWork is what CRON_BACKUP_OFFSITE runs, and `backup offsite` by
// hand: ship, and mail a failure in the old tool's words. m may be nil.
func OffsiteWork(cfg *config.Config, log *slog.Logger, m *metrics.M, o offsite.Options) Work {
	return func(ctx context.Context, out io.Writer) error {
		r, err := offsite.Run(ctx, o, time.Now(), out)
		if err != nil {
			fmt.Fprintf(out, "FAILED: %v\n", err)
			mailOffsiteFailure(ctx, cfg, log, err, time.Now())
			return err
		}
		if m != nil {
			m.BackupSize("offsite", r.Size)
		}
		return nil
	}
}

// OffsiteFailureMail is the old tool's failure mail for the offsite backup.
func OffsiteFailureMail(cfg *config.Config, jobErr error, now time.Time) (subject, body string) {
	subject = backup.Subject("NetBird offsite backup", cfg.Backup.Label, cfg.NetBird.URL, now) + " — FAILED"
	body = fmt.Sprintf("The offsite config backup failed.\n\n%v\n\nThe archive should have landed in %s on %s.\nCheck with:  birdseye backup offsite --list\n",
		jobErr, cfg.Offsite.RemoteDir, cfg.Offsite.Host)
	return subject, body
}

// mailOffsiteFailure sends it to OFFSITE_EMAIL_TO, else BACKUP_EMAIL_TO,
// else SMTP_TO.
func mailOffsiteFailure(ctx context.Context, cfg *config.Config, log *slog.Logger, jobErr error, now time.Time) {
	subject, body := OffsiteFailureMail(cfg, jobErr, now)
	mailFailure(ctx, cfg, log, "backup-offsite", cfg.Offsite.EmailTo, subject, body)
}

// mailFailure mails a job's failure to its own list (emailTo), else
// BACKUP_EMAIL_TO, else SMTP_TO. It never fails the job further: what
// happened is logged.
func mailFailure(ctx context.Context, cfg *config.Config, log *slog.Logger, job, emailTo, subject, body string) {
	mc := destinations.MailConfig(cfg)
	for _, l := range [][]string{config.SplitComma(emailTo), config.SplitComma(cfg.Backup.EmailTo), cfg.SMTP.To} {
		if len(l) > 0 {
			mc.To = l
			break
		}
	}
	mc.Digest, mc.BurstLimit = false, 0
	if mc.Host == "" || mc.From == "" || len(mc.To) == 0 {
		log.Warn("no SMTP configured — failure not mailed", "job", job)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := email.New(mc, cfg.Log.TZ.Loc).Send(ctx, subject, body); err != nil {
		log.Error("could not mail the failure", "job", job, "err", err)
		return
	}
	log.Info("failure mailed to "+strings.Join(mc.To, ", "), "job", job)
}
