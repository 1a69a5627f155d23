// Package jobs is the daemon's scheduled jobs (cleanup, pruning,
// maintenance, the backups, the mirror, the standby clone, the change
// report) as one table (table.go): each row says what schedules the job,
// what it needs, how monitoring hears of it (its Checkmk check and pings),
// where its failure is mailed and how it is built. The scheduler, doctor,
// the docs' job table and the commands that run a job by hand all read
// the table; adding a job is its package, its variables and one row.
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
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/configdoc"
	"github.com/styliteag/birdseye/internal/destinations"
	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/posture"
	"github.com/styliteag/birdseye/internal/retention"
	"github.com/styliteag/birdseye/internal/retry"
	"github.com/styliteag/birdseye/internal/schedule"
	"github.com/styliteag/birdseye/internal/sink/email"
	"github.com/styliteag/birdseye/internal/sqlitefile"
	"github.com/styliteag/birdseye/internal/sshremote"
	"github.com/styliteag/birdseye/internal/target"
	"github.com/styliteag/birdseye/internal/version"
)

// Scheduler builds the scheduler with every job of the table the
// configuration schedules. A job whose prerequisites are missing is left
// out with one warning naming them.
func Scheduler(cfg *config.Config, log *slog.Logger, m *metrics.M) (*schedule.Scheduler, error) {
	s := schedule.New(cfg.Log.TZ.Loc, log)
	s.OnRun = func(job string, err error) { m.Job(job, err, time.Now()) }
	spoolWarning(cfg, log)
	d := Deps{Log: log, Metrics: m}
	if cfg.NetBird.AdminKey != "" {
		var err error
		if d.Admin, err = apiclient.New(cfg.NetBird, cfg.NetBird.AdminKey.Reveal()); err != nil {
			return nil, err
		}
	}
	// A job that lacks what it needs is said once (doctor says the same)
	// and left out.
	off := map[string]bool{}
	for _, j := range JobsOff(cfg) {
		off[j.Variable] = true
		if j.Default {
			log.Info(j.Text())
		} else {
			log.Warn(j.Text(), "missing", strings.Join(j.Missing, "; "))
		}
	}
	for _, spec := range Table {
		if off[spec.Variable] {
			continue
		}
		if err := add(s, cfg, d, spec); err != nil {
			return nil, err
		}
	}
	for _, j := range s.Jobs() {
		m.JobScheduled(j.Name) // its counters from 0, so that increase() sees the first failure
	}
	return s, nil
}

// add builds one job of the table and schedules it, when it is scheduled.
func add(s *schedule.Scheduler, cfg *config.Config, d Deps, spec Spec) error {
	when := spec.Schedule(cfg.Schedule)
	if when == "" {
		return nil
	}
	work, err := spec.Build(cfg, d)
	if err != nil {
		return err
	}
	return s.Add(monitored(cfg, d.Log, spec, when, func(ctx context.Context, out *lineLog) error { return work(ctx, out) }))
}

// buildMaintenance is CRON_NETBIRD_MAINTENANCE's work.
func buildMaintenance(cfg *config.Config, d Deps) (Work, error) {
	mt := cfg.Maintenance
	return func(ctx context.Context, out io.Writer) error { return maintenance(ctx, d.Admin, mt, out) }, nil
}

// buildBackup is CRON_BACKUP_NETBIRD's work: `backup run`, its sizes and
// its restore check in the metrics.
func buildBackup(cfg *config.Config, d Deps) (Work, error) {
	rc, err := Backup(cfg.NetBird, cfg.Backup, cfg.SMTP, cfg.Log.TZ.Loc, version.Version, cfg.Forwarder.StateFile)
	if err != nil {
		return nil, err
	}
	checkReadable("BACKUP_PATHS", "the scheduled backup", rc.Paths, d.Log)
	return func(ctx context.Context, out io.Writer) error {
		steps, code := backup.Run(ctx, rc, time.Now(), out)
		for _, st := range steps {
			if st.File != "" && d.Metrics != nil {
				d.Metrics.BackupSize(map[bool]string{true: "export", false: "volumes"}[strings.Contains(st.What, "export")], st.Size)
			}
			if st.Verified && d.Metrics != nil {
				d.Metrics.BackupVerified("volumes", time.Now())
			}
		}
		if code != 0 {
			return fmt.Errorf("backup finished with exit code %d (see the lines above)", code)
		}
		return nil
	}, nil
}

// backupNeeds names what CRON_BACKUP_NETBIRD lacks: the password, a
// source, and a destination (mail or BACKUP_DIR).
func backupNeeds(c *config.Config) []string {
	var missing []string
	b := c.Backup
	if b.Password == "" && !(b.Age() && strings.TrimSpace(b.AgeRecipients) != "") {
		missing = append(missing, "BACKUP_ZIP_PASSWORD (or BACKUP_ENCRYPTION=age with BACKUP_AGE_RECIPIENTS)")
	}
	if len(b.Paths) == 0 && c.NetBird.AdminKey == "" {
		missing = append(missing, "BACKUP_PATHS or NB_ADMIN_API_KEY")
	}
	mail := c.SMTP.Host != "" && c.SMTP.From != "" && (len(b.EmailTo) > 0 || len(b.ExportTo) > 0 || len(c.SMTP.To) > 0)
	if !mail && b.Dir == "" {
		missing = append(missing, "SMTP_HOST, SMTP_FROM and a recipient (BACKUP_EMAIL_TO/EXPORT_EMAIL_TO/SMTP_TO), or BACKUP_DIR")
	}
	return missing
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

// ArchiveOptions is how BACKUP_* make an archive (the paths, exclusions,
// label, the key: the passphrase or age recipients, hidden names), written
// to out: the one builder for the job, `backup run`, `backup volumes` and
// `export`.
func ArchiveOptions(b config.Backup, out string) (backup.Options, error) {
	recipients, err := b.Recipients()
	if err != nil {
		return backup.Options{}, err
	}
	return backup.Options{Paths: b.Paths, Exclude: b.Exclude, Label: b.Label, Password: b.Password.Reveal(),
		OutDir: out, Age: b.Age(), Recipients: recipients, HideNames: bool(b.HideNames), Dumps: postgresDumps(b)}, nil
}

// Targets builds BACKUP_TARGETS' clients (once a process: the daemon's
// job, a command, doctor); the state directory holds the known hosts when
// BACKUP_SSH_KNOWN_HOSTS does not.
func Targets(b config.Backup, stateDir string) ([]target.Target, error) {
	specs, err := b.TargetSpecs()
	if err != nil {
		return nil, err
	}
	set := target.Settings{
		SSH: target.SSH{KeyFile: b.SSHKey, KnownHosts: sshremote.KnownHostsFile(b.SSHKnownHosts, stateDir), Strict: b.SSHStrictOr()},
		S3: target.S3Config{Endpoint: b.S3Endpoint, Region: b.S3Region, PathStyle: bool(b.S3PathStyle), AccessKey: b.S3AccessKey,
			SecretKey: b.S3SecretKey.Reveal()},
	}
	var out []target.Target
	for _, sp := range specs {
		t, err := target.New(target.Spec(sp), set)
		if err != nil {
			return nil, &config.Error{Var: "BACKUP_TARGETS", Msg: err.Error()}
		}
		out = append(out, target.WithRetry(t, retry.Default)) // a reset or a 503 is tried again
	}
	return out, nil
}

// Backup assembles `backup run` from the configuration: the volume
// backup when BACKUP_PATHS is set, the API export when NB_ADMIN_API_KEY is,
// mails through SMTP_* with the old recipient fallbacks (volumes:
// BACKUP_EMAIL_TO, else SMTP_TO; export: EXPORT_EMAIL_TO, else
// BACKUP_EMAIL_TO, else SMTP_TO).
func Backup(nb config.NetBird, b config.Backup, smtp config.SMTP, loc *time.Location, version, stateFile string) (backup.RunConfig, error) {
	opts, err := ArchiveOptions(b, "")
	if err != nil {
		return backup.RunConfig{}, err
	}
	rc := backup.RunConfig{Options: opts, NBURL: nb.URL, Version: version, Dir: b.Dir, MaxBytes: int64(b.MaxMB) << 20}
	rc.Keep = retention.Policy{Last: int(b.Keep), Daily: int(b.KeepDaily), Weekly: int(b.KeepWeekly), Monthly: int(b.KeepMonthly)}
	if b.Dir != "" {
		if fi, err := os.Stat(b.Dir); err != nil || !fi.IsDir() {
			return rc, &config.Error{Var: "BACKUP_DIR", Msg: fmt.Sprintf("=%q is not a directory; expected a mounted volume that keeps the archives (mkdir it, or mount it in the compose file), or leave BACKUP_DIR empty to mail only", b.Dir)}
		}
	}
	if rc.Targets, err = Targets(b, filepath.Dir(stateFile)); err != nil {
		return rc, err
	}
	rc.Verify = bool(b.Verify)
	rc.Restore = PostgresRestore(b)
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
		rc.ByName = func(ctx context.Context) ([]byte, error) {
			d, err := configdoc.Read(ctx, c)
			if err != nil {
				return nil, err
			}
			var b bytes.Buffer
			err = d.Write(&b, "yaml")
			return b.Bytes(), err
		}
	}
	first := func(lists ...[]string) []string {
		for _, l := range lists {
			if len(l) > 0 {
				return l
			}
		}
		return nil
	}
	rc.VolumeTo = first(b.EmailTo, smtp.To)
	rc.ExportTo = first(b.ExportTo, b.EmailTo, smtp.To)
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
		err := sqlitefile.Readable(src, nil)
		if err != nil {
			log.Warn("a "+variable+" entry is not readable by birdseye; "+job+" will fail (see the README: backups of root-owned volumes)",
				"path", src, "err", err, "uid", os.Getuid())
		}
	}
}
