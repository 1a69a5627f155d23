// Package jobs is the daemon's scheduled jobs (cleanup, pruning,
// maintenance, the backups, the change report): each built from the
// configuration, run with its report in the log, its Checkmk check, its
// pings and, where the Python tool mailed one, its failure mail. The
// commands that run a job by hand use the same builders.
package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/allowping"
	"github.com/styliteag/birdseye/internal/apiclient"
	"github.com/styliteag/birdseye/internal/backup"
	"github.com/styliteag/birdseye/internal/destinations"
	"github.com/styliteag/birdseye/internal/posture"
	"github.com/styliteag/birdseye/internal/retention"
	"github.com/styliteag/birdseye/internal/sink/email"
	"github.com/styliteag/birdseye/internal/version"

	"github.com/styliteag/birdseye/internal/cleanup"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/schedule"
)

// Scheduler builds the scheduler with every job the configuration enables.
// A job whose prerequisites are missing is left out with one warning naming
// them.
func Scheduler(cfg *config.Config, log *slog.Logger, m *metrics.M) (*schedule.Scheduler, error) {
	s := schedule.New(cfg.Log.TZ.Loc, log)
	s.OnRun = func(job string, err error) { m.Job(job, err, time.Now()) }
	spoolWarning(cfg, log)
	var admin *netbird.Client
	if cfg.NetBird.AdminKey != "" {
		var err error
		if admin, err = apiclient.New(cfg.NetBird, cfg.NetBird.AdminKey.Reveal()); err != nil {
			return nil, err
		}
	}
	// A job that lacks what it needs is said once (doctor says the same)
	// and left out.
	off := map[string]bool{}
	for _, j := range cfg.JobsOff() {
		off[j.Variable] = true
		if j.Default {
			log.Info(j.Text())
		} else {
			log.Warn(j.Text(), "missing", strings.Join(j.Missing, "; "))
		}
	}
	// add registers a job that needs the admin token.
	add := func(name, variable, spec string, run func(ctx context.Context, out *lineLog) error) error {
		if spec == "" || off[variable] {
			return nil
		}
		return s.Add(monitored(cfg, log, name, variable, spec, run))
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
	mt := cfg.Maintenance
	if spec := cfg.Schedule.Backup; spec != "" && !off["CRON_BACKUP_NETBIRD"] {
		{
			rc, err := Backup(cfg.NetBird, cfg.Backup, cfg.SMTP, cfg.Log.TZ.Loc, version.Version, cfg.Forwarder.StateFile)
			if err != nil {
				return nil, err
			}
			checkReadable("BACKUP_PATHS", "the scheduled backup", rc.Paths, log)
			err = s.Add(monitored(cfg, log, "backup", "CRON_BACKUP_NETBIRD", spec, func(ctx context.Context, out *lineLog) error {
				steps, code := backup.Run(ctx, rc, time.Now(), out)
				for _, st := range steps {
					if st.File != "" {
						m.BackupSize(map[bool]string{true: "export", false: "volumes"}[strings.Contains(st.What, "export")], st.Size)
					}
					if st.Verified {
						m.BackupVerified("volumes", time.Now())
					}
				}
				if code != 0 {
					return fmt.Errorf("backup finished with exit code %d (see the lines above)", code)
				}
				return nil
			}))
			if err != nil {
				return nil, err
			}
		}
	}
	if err := addMirror(s, cfg, log, off); err != nil {
		return nil, err
	}
	if err := addOffsite(s, cfg, log, m, off); err != nil {
		return nil, err
	}
	if err := addClone(s, cfg, log, off); err != nil {
		return nil, err
	}
	if err := addChangeReport(s, cfg, log); err != nil {
		return nil, err
	}
	err = add("netbird-maintenance", "CRON_NETBIRD_MAINTENANCE", cfg.Schedule.Maintenance, func(ctx context.Context, out *lineLog) error {
		err := maintenance(ctx, admin, mt, out)
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
	mc := destinations.MailConfig(cfg)
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

// Backup assembles `backup run` from the configuration: the volume
// backup when BACKUP_PATHS is set, the API export when NB_ADMIN_API_KEY is,
// mails through SMTP_* with the old recipient fallbacks (volumes:
// BACKUP_EMAIL_TO, else SMTP_TO; export: EXPORT_EMAIL_TO, else
// BACKUP_EMAIL_TO, else SMTP_TO).
func Backup(nb config.NetBird, b config.Backup, smtp config.SMTP, loc *time.Location, version, stateFile string) (backup.RunConfig, error) {
	rc := backup.RunConfig{
		Paths: config.SplitComma(b.Paths), Exclude: config.SplitComma(b.Exclude), Label: b.Label, Password: b.Password.Reveal(),
		NBURL: nb.URL, Version: version, Dir: b.Dir, MaxBytes: int64(b.MaxMB) << 20, Age: b.Age(),
	}
	rc.Keep = retention.Policy{Last: int(b.Keep), Daily: int(b.KeepDaily), Weekly: int(b.KeepWeekly), Monthly: int(b.KeepMonthly)}
	if b.Dir != "" {
		if fi, err := os.Stat(b.Dir); err != nil || !fi.IsDir() {
			return rc, &config.Error{Var: "BACKUP_DIR", Msg: fmt.Sprintf("=%q is not a directory; expected a mounted volume that keeps the archives (mkdir it, or mount it in the compose file), or leave BACKUP_DIR empty to mail only", b.Dir)}
		}
	}
	var err error
	if rc.Recipients, err = b.Recipients(); err != nil {
		return rc, err
	}
	if rc.Targets, err = b.TargetList(filepath.Dir(stateFile)); err != nil {
		return rc, err
	}
	rc.Verify, rc.HideNames = bool(b.Verify), bool(b.HideNames)
	if tok, terr := nb.Token(false, "the restore check"); terr == nil && nb.URL != "" {
		if c, cerr := apiclient.New(nb, tok); cerr == nil {
			rc.Live = c
		}
	}
	if nb.AdminKey != "" {
		c, err := apiclient.New(nb, nb.AdminKey.Reveal())
		if err != nil {
			return rc, err
		}
		rc.Export = c
	}
	first := func(lists ...[]string) []string {
		for _, l := range lists {
			if len(l) > 0 {
				return l
			}
		}
		return nil
	}
	rc.VolumeTo = first(config.SplitComma(b.EmailTo), smtp.To)
	rc.ExportTo = first(config.SplitComma(b.ExportTo), config.SplitComma(b.EmailTo), smtp.To)
	if smtp.Host != "" && smtp.From != "" {
		rc.Mailer = email.New(email.Config{
			Transport: destinations.SMTPTransport(smtp),
			From:      smtp.From,
		}, loc)
	}
	return rc, nil
}

// checkReadable says at start, naming the path, when an entry of variable
// cannot be read (a non-root container and a root-owned NetBird volume),
// instead of failing at the first scheduled run of job.
func checkReadable(variable, job string, paths []string, log *slog.Logger) {
	srcs, err := backup.Sources(paths)
	if err != nil {
		log.Warn(job+" will fail", "err", err)
		return
	}
	for _, src := range srcs {
		err := backup.Readable(src, nil)
		if err != nil {
			log.Warn("a "+variable+" entry is not readable by birdseye; "+job+" will fail (see the README: backups of root-owned volumes)",
				"path", src, "err", err, "uid", os.Getuid())
		}
	}
}
