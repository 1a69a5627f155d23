package jobs

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/styliteag/birdseye/internal/backup"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/offsite"
	"github.com/styliteag/birdseye/internal/retry"
	"github.com/styliteag/birdseye/internal/sshremote"
)

// OffsiteOptions is `backup offsite` from the configuration. Known hosts
// default to the state directory, which survives a new image.
func OffsiteOptions(o config.Offsite, stateFile string, loc *time.Location) offsite.Options {
	return offsite.Options{
		Remote: sshremote.Config{Host: o.Host, Port: int(o.Port), KeyFile: o.KeyPath(), Strict: o.Strict, Vars: "OFFSITE",
			KnownHosts: sshremote.KnownHostsFile(o.KnownHosts, filepath.Dir(stateFile))},
		RemoteDir: o.RemoteDir, Paths: o.Paths, DBPaths: o.DBPaths,
		BaseDir: o.BaseDir, Exclude: o.Exclude, Prefix: o.Prefix, Keep: int(o.Keep),
		WorkDir: o.WorkDir, Loc: loc,
	}
}

// buildOffsite is CRON_BACKUP_OFFSITE's work.
func buildOffsite(cfg *config.Config, d Deps) (Work, error) {
	return OffsiteWork(d.Metrics, OffsiteOptions(cfg.Offsite, cfg.Forwarder.StateFile, cfg.Log.TZ.Loc)), nil
}

// OffsiteWork is what CRON_BACKUP_OFFSITE runs, and `backup offsite` by
// hand: ship, and say FAILED in the old tool's words (the job's report
// mails it). m may be nil.
func OffsiteWork(m *metrics.M, o offsite.Options) Work {
	return func(ctx context.Context, out io.Writer) error {
		// A connection that fails or drops (the remote restarting, a
		// network blip) is tried again; a refused key or a full disk is not.
		p := retry.Default
		p.OnRetry = func(err error, n int, pause time.Duration) {
			fmt.Fprintf(out, "failed: %v; attempt %d of %d in %s\n", err, n, p.Attempts, pause)
		}
		var r offsite.Result
		err := p.Do(ctx, func() error {
			var err error
			r, err = offsite.Run(ctx, o, time.Now(), out)
			return err
		})
		if err != nil {
			fmt.Fprintf(out, "FAILED: %v\n", err)
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
