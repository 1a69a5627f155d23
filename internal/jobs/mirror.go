package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/styliteag/birdseye/internal/apiclient"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/configdoc"
	"github.com/styliteag/birdseye/internal/mirror"
	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/retry"
)

// MirrorOptions is `birdseye mirror` from MIRROR_*; a bad MIRROR_SECTIONS
// is an error naming it.
func MirrorOptions(m config.Mirror, loc *time.Location, apply, prune bool, only, skip []string) (mirror.Options, error) {
	if _, err := mirror.Choose(m.Sections, nil, nil); err != nil {
		return mirror.Options{}, &config.Error{Var: "MIRROR_SECTIONS", Msg: "has " + err.Error()}
	}
	sections, err := mirror.Choose(m.Sections, only, skip)
	if err != nil {
		return mirror.Options{}, err // the flags': the command names them
	}
	return mirror.Options{Apply: apply, Prune: prune, Sections: sections, Protected: m.ProtectedGroups(),
		SnapshotDir: m.SnapshotDir, Loc: loc, CreateUsers: bool(m.CreateUsers),
		Reads: retry.Policy{Attempts: 3, Transient: netbird.Transient}}, nil
}

// ErrSameHost is what MirrorTarget refuses: a target that is the source.
var ErrSameHost = errors.New("REFUSING: source and target are the same host")

// MirrorTarget is the mirror's target as MIRROR_URL and MIRROR_API_KEY
// name it (trusting NB_CA_FILE as the source does): the one reading of
// MIRROR_URL for the job, the command and doctor. A target that is the
// source's host is refused, naming MIRROR_URL (errors.Is ErrSameHost).
func MirrorTarget(ctx context.Context, nb config.NetBird, m config.Mirror) (*netbird.Client, error) {
	if same, why := mirror.SameHost(ctx, nb.URL, m.URL); same {
		return nil, &config.Error{Var: "MIRROR_URL", Msg: "is the source: " + ErrSameHost.Error() + " (" + why + "); expected another controller", Err: ErrSameHost}
	}
	dst, err := apiclient.New(config.NetBird{URL: m.URL, CAFile: nb.CAFile}, m.APIKey.Reveal())
	if err != nil {
		return nil, fmt.Errorf("MIRROR_URL: %w", err)
	}
	return dst, nil
}

// mirrorNeeds names what CRON_MIRROR_ACCOUNT lacks.
func mirrorNeeds(c *config.Config) []string {
	var missing []string
	if c.Mirror.URL == "" {
		missing = append(missing, "MIRROR_URL")
	}
	if c.Mirror.APIKey == "" {
		missing = append(missing, "MIRROR_API_KEY")
	}
	return missing
}

// buildMirror is CRON_MIRROR_ACCOUNT's work: a dry run unless MIRROR_APPLY,
// as the Python tool's cron line. Settings that cannot work stop the start
// with their variable named.
func buildMirror(cfg *config.Config, _ Deps) (Work, error) {
	o, err := MirrorOptions(cfg.Mirror, cfg.Log.TZ.Loc, bool(cfg.Mirror.Apply), bool(cfg.Mirror.Prune), nil, nil)
	if err != nil {
		return nil, err
	}
	dst, err := MirrorTarget(context.Background(), cfg.NetBird, cfg.Mirror)
	if err != nil {
		return nil, err
	}
	tok, err := cfg.NetBird.Token(false, "the mirror")
	if err != nil {
		return nil, err
	}
	src, err := apiclient.New(cfg.NetBird, tok)
	if err != nil {
		return nil, err
	}
	return MirrorWork(func(ctx context.Context, out io.Writer) (mirror.Counts, error) {
		run := o
		run.Now = time.Now()
		if file := cfg.Mirror.Source; file != "" {
			// Read at every run: the file (a git checkout) changes between runs.
			d, err := configdoc.LoadPath(file)
			if err != nil {
				return mirror.Counts{}, fmt.Errorf("MIRROR_SOURCE: %w", err)
			}
			return mirror.Run(ctx, d.Source(file), dst, run, out)
		}
		return mirror.Run(ctx, src.ReadOnly(), dst, run, out)
	}), nil
}

// MirrorWork is what CRON_MIRROR_ACCOUNT runs, and `mirror` by hand: the
// run and its counts as the last line (a failure is mailed by the job's
// report, with what it printed).
func MirrorWork(run func(ctx context.Context, out io.Writer) (mirror.Counts, error)) Work {
	return func(ctx context.Context, out io.Writer) error {
		c, err := run(ctx, out)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%d created, %d updated, %d deleted, %d waiting for peers or users\n", c.Created, c.Updated, c.Deleted, c.Waiting)
		return nil
	}
}
