package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/destinations"
	"github.com/styliteag/birdseye/internal/sink/email"
)

// mailFailure mails a failed job as its table row says, to the job's own
// recipients, else BACKUP_EMAIL_TO, else SMTP_TO. It never fails the job
// further: it runs detached from a cancelled run (a failure by timeout is
// still mailed), and what happened is logged, a missing SMTP setup too.
func mailFailure(ctx context.Context, cfg *config.Config, log *slog.Logger, spec Spec, jobErr error, report string, now time.Time) {
	if spec.Mail == nil {
		return
	}
	own, subject, body := spec.Mail(cfg, jobErr, report, now)
	mc := destinations.MailConfig(cfg)
	for _, l := range [][]string{own, cfg.Backup.EmailTo, cfg.SMTP.To} {
		if len(l) > 0 {
			mc.To = l
			break
		}
	}
	mc.Digest, mc.BurstLimit = false, 0
	if mc.Host == "" || mc.From == "" || len(mc.To) == 0 {
		log.Warn("no SMTP configured — failure not mailed", "job", spec.Name)
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := email.New(mc, cfg.Log.TZ.Loc).Send(ctx, subject, body); err != nil {
		log.Error("could not mail the failure", "job", spec.Name, "err", err)
		return
	}
	log.Info("failure mailed to "+strings.Join(mc.To, ", "), "job", spec.Name)
}

// plainMail is the failure mail of the jobs the Python tool did not word
// one for: the job, the host, the time, the error and what it reported.
// own is the job's *_EMAIL_TO.
func plainMail(job string, own func(*config.Config) config.List) func(*config.Config, error, string, time.Time) (config.List, string, string) {
	return func(cfg *config.Config, jobErr error, report string, now time.Time) (config.List, string, string) {
		host, _ := os.Hostname()
		body := fmt.Sprintf("%s failed on %s at %s UTC:\n\n  %v\n\nWhat it reported:\n\n%s", job, host, now.UTC().Format("2006-01-02 15:04:05"), jobErr, report)
		return own(cfg), fmt.Sprintf("[NetBird] %s failed (%s)", job, host), body
	}
}

// offsiteMail is the old tool's failure mail for the offsite backup, to
// OFFSITE_EMAIL_TO.
func offsiteMail(cfg *config.Config, jobErr error, _ string, now time.Time) (config.List, string, string) {
	subject, body := OffsiteFailureMail(cfg, jobErr, now)
	return cfg.Offsite.EmailTo, subject, body
}

// cloneMail is the old tool's failure mail for the standby clone, to
// CLONE_EMAIL_TO.
func cloneMail(cfg *config.Config, jobErr error, _ string, now time.Time) (config.List, string, string) {
	subject, body := CloneFailureMail(cfg, jobErr, now)
	return cfg.Clone.EmailTo, subject, body
}
