package jobs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/apiclient"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/mirror"
	"github.com/styliteag/birdseye/internal/schedule"
)

// MirrorOptions is `birdseye mirror` from the configuration; a bad
// MIRROR_SECTIONS is an error naming it.
func MirrorOptions(cfg *config.Config, apply, prune bool, only, skip []string) (mirror.Options, error) {
	if _, err := mirror.Choose(config.SplitComma(cfg.Mirror.Sections), nil, nil); err != nil {
		return mirror.Options{}, &config.Error{Var: "MIRROR_SECTIONS", Msg: "has " + err.Error()}
	}
	sections, err := mirror.Choose(config.SplitComma(cfg.Mirror.Sections), only, skip)
	if err != nil {
		return mirror.Options{}, err // the flags': the command names them
	}
	return mirror.Options{Apply: apply, Prune: prune, Sections: sections, Protected: cfg.Mirror.ProtectedGroups(),
		SnapshotDir: cfg.Mirror.SnapshotDir, Loc: cfg.Log.TZ.Loc, CreateUsers: bool(cfg.Mirror.CreateUsers)}, nil
}

// addMirror schedules CRON_MIRROR_ACCOUNT: a dry run unless MIRROR_APPLY,
// as the Python tool's cron line. Settings that cannot work stop the start
// with their variable named; a failed run is mailed and turns its Checkmk
// check CRIT.
func addMirror(s *schedule.Scheduler, cfg *config.Config, log *slog.Logger, off map[string]bool) error {
	spec := cfg.Schedule.Mirror
	if spec == "" || off["CRON_MIRROR_ACCOUNT"] {
		return nil
	}
	o, err := MirrorOptions(cfg, bool(cfg.Mirror.Apply), bool(cfg.Mirror.Prune), nil, nil)
	if err != nil {
		return err
	}
	if same, why := mirror.SameHost(context.Background(), cfg.NetBird.URL, cfg.Mirror.URL); same {
		return &config.Error{Var: "MIRROR_URL", Msg: "is the source: REFUSING: source and target are the same host (" + why + "); expected another controller"}
	}
	tok, err := cfg.NetBird.Token(false, "the mirror")
	if err != nil {
		return err
	}
	src, err := apiclient.New(cfg.NetBird, tok)
	if err != nil {
		return err
	}
	dst, err := apiclient.New(config.NetBird{URL: cfg.Mirror.URL, CAFile: cfg.NetBird.CAFile}, cfg.Mirror.APIKey.Reveal())
	if err != nil {
		return fmt.Errorf("MIRROR_URL: %w", err)
	}
	work := MirrorWork(cfg, log, func(ctx context.Context, out io.Writer) (mirror.Counts, error) {
		run := o
		run.Now = time.Now()
		return mirror.Run(ctx, src.ReadOnly(), dst, run, out)
	})
	return s.Add(monitored(cfg, log, "mirror-account", "CRON_MIRROR_ACCOUNT", spec, func(ctx context.Context, out *lineLog) error { return work(ctx, out) }))
}

// MirrorWork is what CRON_MIRROR_ACCOUNT runs, and `mirror` by hand: the
// run, its counts as the last line, a failure mailed with the report.
func MirrorWork(cfg *config.Config, log *slog.Logger, run func(ctx context.Context, out io.Writer) (mirror.Counts, error)) Work {
	return func(ctx context.Context, out io.Writer) error {
		var report strings.Builder
		c, err := run(ctx, io.MultiWriter(out, &report))
		if err == nil {
			fmt.Fprintf(out, "%d created, %d updated, %d deleted, %d waiting for peers or users\n", c.Created, c.Updated, c.Deleted, c.Waiting)
			return nil
		}
		notifyFailure(ctx, cfg, log, "mirror-account", err, report.String())
		return err
	}
}
