package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/backup"
	"github.com/styliteag/birdseye/internal/clone"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/monitor"
	"github.com/styliteag/birdseye/internal/sshremote"
)

// CloneOptions is the standby clone from the configuration: CLONE_* and
// each target's CLONE_<NAME>_* (config.Clone.Stacks), NB_URL for the
// primary's name and NB_API_KEY for verify. Known hosts default to the
// state directory, which survives a new image.
func CloneOptions(cfg config.Clone, nb config.NetBird, stateFile string) (clone.Options, error) {
	var o clone.Options
	primaryHost, api, err := cfg.Primary(nb)
	if err != nil {
		return o, err
	}
	stacks, err := cfg.Stacks(primaryHost)
	if err != nil {
		return o, err
	}
	targets := make([]clone.Target, 0, len(stacks))
	for _, st := range stacks {
		targets = append(targets, clone.Target(st))
	}
	fo, err := cfg.Failover(stacks)
	if err != nil {
		return o, err
	}
	failover := clone.Target(fo)
	minRows, err := cfg.MinRowsMap()
	if err != nil {
		return o, err
	}
	targetPaths, err := cfg.TargetPathList()
	if err != nil {
		return o, err
	}
	sharedPaths, err := cfg.SharedPathList()
	if err != nil {
		return o, err
	}
	payload := strings.TrimRight(cfg.PayloadDir, "/")
	if payload == "" {
		payload = path.Join(failover.Root, "incoming")
	}
	standbyIP, standbyPort := cfg.StandbyIP, ""
	if host, port, err := net.SplitHostPort(standbyIP); err == nil {
		standbyIP, standbyPort = host, port
	}
	o = clone.Options{
		Remote: sshremote.Config{Host: cfg.Host, Port: int(cfg.Port), KeyFile: cfg.Key, Strict: cfg.Strict, Vars: "CLONE",
			KnownHosts: sshremote.KnownHostsFile(cfg.KnownHosts, filepath.Dir(stateFile))},
		Payload: payload,
		Plan: clone.StagePlan{
			Dir: cfg.StageDir, Primary: primaryHost, DBPaths: cfg.DBPaths, ConfigFiles: cfg.ConfigFiles,
			TargetPaths: clonePaths(targetPaths), SharedPaths: clonePaths(sharedPaths), ACMESource: cfg.ACMESource, Targets: targets, MinRows: minRows,
			Keep: int(cfg.Keep), Failover: failover, StandbyIP: standbyIP, StandbyPort: standbyPort,
		},
		ImageRepos: cfg.Images, DockerSocket: cfg.DockerSocket, ACMERemote: cfg.ACMERemote,
		Ingress: clone.Stack{Root: strings.TrimRight(cfg.IngressRoot, "/"), Project: cfg.IngressProject, Compose: cfg.IngressCompose},
		Primary: clone.API{URL: api, Token: nb.APIKey.Reveal()},
	}
	if o.Primary.RootCA, err = cfg.Roots(nb); err != nil {
		return o, err
	}
	o.StandbyDial = standbyDial(cfg, api)
	o.LockFile = filepath.Join(filepath.Dir(stateFile), "clone.lock")
	o.Plan.Port = publicPort(api)
	return o, nil
}

// standbyDial is where verify reaches the standby: CLONE_STANDBY_IP (with
// its own port, else the primary's public one), else the SSH host's name,
// which the dialer resolves.
func standbyDial(cfg config.Clone, api string) string {
	if _, _, err := net.SplitHostPort(cfg.StandbyIP); err == nil {
		return cfg.StandbyIP
	}
	host := cfg.StandbyIP
	if host == "" {
		host = cfg.Host
		if _, h, ok := strings.Cut(host, "@"); ok {
			host = h
		}
	}
	return net.JoinHostPort(host, cmp.Or(publicPort(api), "443"))
}

// publicPort is the HTTPS port clients use: NB_URL's when it is an https
// URL with a port, else "" (443). An http NB_URL is an internal address;
// its port says nothing about the public one.
func publicPort(api string) string {
	if u, err := url.Parse(api); err == nil && u.Scheme == "https" {
		return u.Port()
	}
	return ""
}

// cloneNeeds names what CRON_CLONE_STANDBY lacks.
func cloneNeeds(c *config.Config) []string {
	missing := c.Clone.Missing()
	if strings.TrimSpace(c.NetBird.URL) == "" && strings.TrimSpace(c.Clone.PrimaryHost) == "" {
		missing = append(missing, "NB_URL or CLONE_PRIMARY_HOST (the primary's name)")
	}
	return missing
}

// buildClone is CRON_CLONE_STANDBY's work: stage, install every target,
// drill, under the clone's lock (someone at work on the standby by hand
// makes the run a warning, not a failure).
func buildClone(cfg *config.Config, d Deps) (Work, error) {
	o, err := CloneOptions(cfg.Clone, cfg.NetBird, cfg.Forwarder.StateFile)
	if err != nil {
		return nil, err // a configuration error, naming the variable
	}
	checkReadable("CLONE_DB_PATHS", "the standby clone's refresh", o.Plan.DBPaths, d.Log)
	work := CloneWork(cfg.Log.TZ.Loc, o)
	return func(ctx context.Context, out io.Writer) error {
		release, err := o.Exclusive()
		if err != nil {
			return &monitor.Warning{Msg: "refresh skipped: " + err.Error()}
		}
		defer release()
		return work(ctx, out)
	}, nil
}

// CloneWork is what CRON_CLONE_STANDBY runs once the clone's lock is
// taken, and `clone run` by hand: the refresh, its summary (a failure is
// mailed in the old tool's words by the job's report), a warning when
// nothing was drilled.
func CloneWork(loc *time.Location, o clone.Options) Work {
	return func(ctx context.Context, out io.Writer) error {
		start := time.Now()
		done, err := o.Run(ctx, out, start)
		if err != nil {
			fmt.Fprintln(out, err)
			var step *clone.StepError
			if errors.As(err, &step) {
				return &stoppedAt{msg: fmt.Sprintf("refresh stopped at %s (%s): %v", step.Step, start.In(loc).Format("2006-01-02 15:04"), step.Err), step: step}
			}
			return err
		}
		fmt.Fprintf(out, "%s (%ds)\n", done.Summary, int(time.Since(start).Seconds()))
		if !done.Drilled {
			// Refreshed, but nothing proves the standby answers.
			return &monitor.Warning{Msg: "standby clone refreshed but not drilled: set NB_API_KEY so the drill can compare it with the primary"}
		}
		return nil
	}
}

// stoppedAt is a refresh that stopped at a step: its text is the Checkmk
// summary, and it is still the step's error for the failure mail.
type stoppedAt struct {
	msg  string
	step *clone.StepError
}

func (e *stoppedAt) Error() string { return e.msg }
func (e *stoppedAt) Unwrap() error { return e.step }

// CloneFailureMail is the old tool's failure mail for the standby clone.
func CloneFailureMail(cfg *config.Config, jobErr error, now time.Time) (subject, body string) {
	subject = backup.Subject("NetBird standby clone", cfg.Backup.Label, cfg.NetBird.URL, now) + " — FAILED"
	detail := jobErr.Error()
	var step *clone.StepError
	if errors.As(jobErr, &step) {
		detail = fmt.Sprintf("Failed at step '%s'.\n\n%v", step.Step, step.Err)
	}
	body = fmt.Sprintf("The standby clone refresh failed.\n\n%s\n\nThe standby %s keeps what it had before this run.\nSee where it stands with:  birdseye clone status\n",
		detail, cfg.Clone.Host)
	return subject, body
}

// clonePaths are the configuration's paths as the clone stages them.
func clonePaths(ps []config.ClonePath) []clone.Path {
	out := make([]clone.Path, len(ps))
	for i, p := range ps {
		out[i] = clone.Path{Local: p.Local, Dest: p.Dest, Mode: clone.Mode(p.Mode)}
	}
	return out
}
