package main

import (
	"context"
	"fmt"
	"time"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/jobs"
	"github.com/styliteag/birdseye/internal/offsite"
)

type backupOffsiteCmd struct {
	DryRun   bool `help:"Build the archive in OFFSITE_WORK_DIR and keep it there; connect to nothing."`
	List     bool `help:"List this prefix's archives on the remote host, newest first, with sizes and the total."`
	Keep     *int `help:"Keep this many archives of the prefix on the remote (overrides OFFSITE_KEEP)." placeholder:"N"`
	NoReport bool `help:"Write no Checkmk check, send no ping or failure mail (a run by hand reports as CRON_BACKUP_OFFSITE's does)."`
}

// Run is what CRON_BACKUP_OFFSITE runs, by hand: the report goes to the
// terminal, and a failure is the exit code (the scheduled run mails it).
func (c backupOffsiteCmd) Run(ctx context.Context, e *env) error {
	if err := config.LoadDotEnv(".env"); err != nil {
		return err
	}
	t, err := config.LoadTool()
	if err != nil {
		return err
	}
	f, err := config.LoadForwarder()
	if err != nil {
		return err
	}
	o := t.Offsite
	if c.Keep != nil {
		if *c.Keep < 1 {
			return &flagError{Flag: "--keep", Msg: fmt.Sprintf("=%d would prune the archive just shipped; expected at least 1", *c.Keep)}
		}
		o.Keep = config.Count(*c.Keep)
	}
	switch {
	case c.List:
		err = o.Require("OFFSITE_SSH_HOST", "OFFSITE_REMOTE_DIR")
	case c.DryRun:
		err = o.Require("OFFSITE_PATHS")
	default:
		err = o.Require("OFFSITE_SSH_HOST", "OFFSITE_REMOTE_DIR", "OFFSITE_PATHS")
	}
	if err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	opts := jobs.OffsiteOptions(o, f.StateFile, t.Log.TZ.Loc)
	opts.DryRun = c.DryRun
	if c.List {
		return listOffsite(ctx, e, opts)
	}
	start := time.Now()
	if c.DryRun || c.NoReport {
		if _, err := offsite.Run(ctx, opts, start, e.stdout); err != nil {
			fmt.Fprintf(e.stdout, "FAILED: %v\n", err)
			return errExit{exitFailure}
		}
	} else {
		// Reported as the scheduled run is: check, pings, failure mail.
		cfg := t.Config()
		cfg.Offsite = o
		log := newLog(e.stderr, t.Log.Level, t.Log.Format)
		if err := jobs.ByHand(ctx, cfg, log, "CRON_BACKUP_OFFSITE", e.stdout, jobs.OffsiteWork(nil, opts)); err != nil {
			return errExit{exitFailure} // the work printed FAILED and why
		}
	}
	fmt.Fprintf(e.stdout, "ok in %ds\n", int(time.Since(start).Seconds()))
	return nil
}

func listOffsite(ctx context.Context, e *env, o offsite.Options) error {
	all, err := offsite.List(ctx, o)
	if err != nil {
		return err
	}
	var total int64
	for _, a := range all {
		total += a.Size
		fmt.Fprintf(e.stdout, "%-42s %9.1f MB  %s\n", a.Name, float64(a.Size)/1e6, a.ModTime.In(o.Loc).Format("2006-01-02 15:04"))
	}
	if len(all) > 0 {
		fmt.Fprintln(e.stdout)
	}
	fmt.Fprintf(e.stdout, "%d archives of %s, %.1f MB, in %s on %s\n", len(all), o.Prefix, float64(total)/1e6, o.RemoteDir, o.Remote.Addr())
	return nil
}
