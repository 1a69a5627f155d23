package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/clone"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/jobs"
)

type cloneCmd struct {
	Stage    cloneStageCmd    `cmd:"" help:"Snapshot the primary's databases and configuration and push them to the standby (CLONE_PAYLOAD_DIR)."`
	Install  cloneInstallCmd  `cmd:"" help:"Install the pushed payload into a target on the standby (all targets without one); keeps a rollback snapshot."`
	Drill    cloneDrillCmd    `cmd:"" help:"Start a target, compare it with the primary through the API, stop it again."`
	Verify   cloneVerifyCmd   `cmd:"" help:"Compare a running target with the primary: account id and object counts, over TLS as clients would reach it."`
	Failover cloneFailoverCmd `cmd:"" help:"Make the standby the primary: run failover.sh in the failover target (then move DNS)."`
	Status   cloneStatusCmd   `cmd:"" help:"What is staged and installed on the standby, its rollback snapshots and containers."`
	Rollback cloneRollbackCmd `cmd:"" help:"Put a target back to the snapshot its last install kept."`
	Run      cloneRunCmd      `cmd:"" help:"What CRON_CLONE_STANDBY runs: stage, install every target, drill the failover target."`
}

type cloneTarget struct {
	Target string `arg:"" optional:"" help:"A name from CLONE_TARGETS (default: the failover target; install: all)."`
}

type cloneConfirm struct {
	Yes bool `short:"y" help:"Do not ask before changing the standby."`
}

// cloneSetup reads the configuration the clone commands share, requiring
// the variables named.
func cloneSetup(need config.CloneAction) (clone.Options, error) {
	if err := config.LoadDotEnv(".env"); err != nil {
		return clone.Options{}, err
	}
	t, err := config.LoadTool()
	if err != nil {
		return clone.Options{}, err
	}
	f, err := config.LoadForwarder()
	if err != nil {
		return clone.Options{}, err
	}
	c := t.Clone
	if err := c.RequireFor(need); err != nil {
		return clone.Options{}, err
	}
	if err := c.Validate(); err != nil {
		return clone.Options{}, err
	}
	return jobs.CloneOptions(c, t.NetBird, f.StateFile)
}

// cloneSetupTarget is cloneSetup and the target an action is about.
func cloneSetupTarget(need config.CloneAction, name string) (clone.Options, clone.Target, error) {
	o, err := cloneSetup(need)
	if err != nil {
		return o, clone.Target{}, err
	}
	t, err := pick(o, name)
	return o, t, err
}

// pick is the named target, or the failover target.
func pick(o clone.Options, name string) (clone.Target, error) {
	if name == "" {
		return o.Failover(), nil
	}
	t, err := clone.Find(o.Targets(), name)
	if err != nil {
		return t, &flagError{Flag: "TARGET", Msg: err.Error()}
	}
	return t, nil
}

// confirm asks before the standby is changed. Without a terminal to
// answer (docker exec without -it, cron) the answer is no: --yes says it.
func confirm(e *env, yes bool, what string) error {
	fmt.Fprintln(e.stdout, what)
	if yes {
		return nil
	}
	fmt.Fprint(e.stdout, "Proceed? [y/N] ")
	line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); a == "y" || a == "yes" {
		return nil
	}
	fmt.Fprintln(e.stdout)
	return errors.New("not confirmed: nothing on the standby was changed (give --yes to skip the question)")
}

// withStandby connects to the standby and takes its lock (the actions
// that change it; a dry run only reads, but waits its turn all the same).
func withStandby(ctx context.Context, e *env, o clone.Options, do func(clone.Standby) error) error {
	c, done, err := o.DialLocked(ctx, e.stderr)
	if err != nil {
		return err
	}
	defer done()
	return do(clone.Standby{Shell: c, Payload: o.Payload})
}

// readStandby connects to the standby to read it: no lock.
func readStandby(ctx context.Context, o clone.Options, do func(clone.Standby) error) error {
	c, err := o.Dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return do(clone.Standby{Shell: c, Payload: o.Payload})
}

type cloneStageCmd struct {
	DryRun bool `help:"Stage into CLONE_STAGE_DIR and stop there: connect to nothing."`
}

func (c cloneStageCmd) Run(ctx context.Context, e *env) error {
	need := config.CloneEverything
	if c.DryRun {
		need = config.CloneStageHere
	}
	o, err := cloneSetup(need)
	if err != nil {
		return err
	}
	if !c.DryRun {
		release, err := o.Exclusive()
		if err != nil {
			return err
		}
		defer release()
	}
	if err := o.Stage(ctx, e.stdout, c.DryRun, time.Now()); err != nil {
		fmt.Fprintf(e.stdout, "FAILED: %v\n", err)
		return errExit{exitFailure}
	}
	if !c.DryRun {
		fmt.Fprintln(e.stdout, "Staged. Install it with:  birdseye clone install")
	}
	return nil
}

type cloneInstallCmd struct {
	cloneTarget
	cloneConfirm
	cloneAfterFailover
	DryRun bool `help:"Show what would be installed where; change nothing."`
}

// cloneAfterFailover is the explicit permission to act on a target that
// failover.sh made the live server.
type cloneAfterFailover struct {
	AfterFailover bool `help:"Act on a target failover.sh made the live server (refused otherwise: it would stop it or replace its store)."`
}

func (c cloneInstallCmd) Run(ctx context.Context, e *env) error {
	o, err := cloneSetup(config.CloneStandby)
	if err != nil {
		return err
	}
	targets := o.Targets()
	if c.Target != "" {
		t, err := pick(o, c.Target)
		if err != nil {
			return err
		}
		targets = []clone.Target{t}
	}
	return withStandby(ctx, e, o, func(s clone.Standby) error {
		s.AfterFailover = c.AfterFailover
		m, err := s.Manifest()
		if err != nil {
			return err
		}
		var what strings.Builder
		clone.Describe(&what, m, targets)
		if c.DryRun {
			fmt.Fprint(e.stdout, what.String())
			fmt.Fprintln(e.stdout, "DRY RUN — nothing installed")
			return nil
		}
		if err := confirm(e, c.Yes, strings.TrimRight(what.String(), "\n")); err != nil {
			return err
		}
		release, err := o.Exclusive()
		if err != nil {
			return err
		}
		defer release()
		if err := o.Install(ctx, s, targets, e.stdout); err != nil {
			fmt.Fprintln(e.stdout, err) // it says FAILED and how to roll back
			return errExit{exitFailure}
		}
		// A hot standby was restarted: see that it answers as the primary.
		if _, err := o.VerifyRunning(ctx, targets, e.stdout); err != nil {
			fmt.Fprintln(e.stdout, err)
			return errExit{exitFailure}
		}
		fmt.Fprintln(e.stdout, "Installed. Prove it with:  birdseye clone drill")
		return nil
	})
}

type cloneDrillCmd struct {
	cloneTarget
	cloneConfirm
	cloneAfterFailover
	Output string `short:"o" enum:"text,json" default:"text" help:"text (one screen) or json (the verdict, for scripts)."`
}

func (c cloneDrillCmd) Run(ctx context.Context, e *env) error {
	o, t, err := cloneSetupTarget(config.CloneStandby, c.Target)
	if err != nil {
		return err
	}
	if o.Verifier() == nil {
		return config.ErrNoCompareToken
	}
	if c.Output == "json" && !c.Yes {
		return &flagError{Flag: "-o json", Msg: "needs --yes: a script cannot answer the question"}
	}
	if c.Output != "json" {
		if err := confirm(e, c.Yes, fmt.Sprintf("The drill starts %s in %s on the standby, compares it with the primary and stops it again.", t.Name, t.Root)); err != nil {
			return err
		}
	}
	release, err := o.Exclusive()
	if err != nil {
		return err
	}
	defer release()
	return withStandby(ctx, e, o, func(s clone.Standby) error {
		log := e.stdout
		if c.Output == "json" {
			log = io.Discard
		}
		s.AfterFailover = c.AfterFailover
		r := s.Drill(ctx, t, o.Verifier(), log)
		return verdict(e, c.Output, r, t.Name == o.Failover().Name, r.Passed)
	})
}

// verdict prints a drill's or a verify's result, as JSON or in one screen,
// and makes a negative one the exit code.
func verdict(e *env, output string, r interface{ Text(io.Writer, bool) }, failover, ok bool) error {
	if output == "json" {
		if err := writeJSON(e.stdout, r); err != nil {
			return err
		}
	} else {
		r.Text(e.stdout, failover)
	}
	if !ok {
		return errExit{exitFailure}
	}
	return nil
}

type cloneVerifyCmd struct {
	cloneTarget
	Output string `short:"o" enum:"text,json" default:"text" help:"text (one screen) or json (the comparison, for scripts)."`
}

func (c cloneVerifyCmd) Run(ctx context.Context, e *env) error {
	o, t, err := cloneSetupTarget(config.CloneTargets, c.Target)
	if err != nil {
		return err
	}
	verify := o.Verifier()
	if verify == nil {
		return config.ErrNoCompareToken
	}
	v := verify(ctx, t)
	return verdict(e, c.Output, v, t.Name == o.Failover().Name, v.Faithful)
}

type cloneFailoverCmd struct {
	cloneTarget
	cloneConfirm
}

func (c cloneFailoverCmd) Run(ctx context.Context, e *env) error {
	return changeTarget(ctx, e, c.Target, c.Yes, func(t clone.Target) string {
		return fmt.Sprintf("FAILOVER: %s in %s on the standby starts and takes over as %s. Do this only when the primary is gone.", t.Name, t.Root, t.Host)
	}, func(s clone.Standby, t clone.Target) error { return s.Failover(ctx, t, e.stdout) })
}

// changeTarget is failover and rollback: one target, a question, then one
// action on the standby whose failure is the exit code.
func changeTarget(ctx context.Context, e *env, name string, yes bool, what func(clone.Target) string, do func(clone.Standby, clone.Target) error) error {
	o, t, err := cloneSetupTarget(config.CloneStandby, name)
	if err != nil {
		return err
	}
	if err := confirm(e, yes, what(t)); err != nil {
		return err
	}
	release, err := o.Exclusive()
	if err != nil {
		return err
	}
	defer release()
	return withStandby(ctx, e, o, func(s clone.Standby) error {
		if err := do(s, t); err != nil {
			fmt.Fprintf(e.stdout, "FAILED: %v\n", err)
			return errExit{exitFailure}
		}
		return nil
	})
}

type cloneStatusCmd struct {
	Output string `short:"o" enum:"text,json" default:"text" help:"text (one screen) or json (for scripts)."`
}

func (c cloneStatusCmd) Run(ctx context.Context, e *env) error {
	o, err := cloneSetup(config.CloneStandby)
	if err != nil {
		return err
	}
	return readStandby(ctx, o, func(s clone.Standby) error {
		st := s.Status(ctx, o.Targets(), o.ACMERemote, o.Ingress)
		st.Judge(o.Failover(), time.Now())
		if c.Output == "json" {
			if err := writeJSON(e.stdout, st); err != nil {
				return err
			}
		} else {
			st.Text(e.stdout)
		}
		if !st.Ready {
			return errExit{exitFailure} // NOT READY or LIVE: no standby to fail over to
		}
		return nil
	})
}

type cloneRollbackCmd struct {
	cloneTarget
	cloneConfirm
	cloneAfterFailover
}

func (c cloneRollbackCmd) Run(ctx context.Context, e *env) error {
	return changeTarget(ctx, e, c.Target, c.Yes, func(t clone.Target) string {
		return fmt.Sprintf("Roll %s in %s back to the snapshot its last install kept (what it replaces is kept as a snapshot too).", t.Name, t.Root)
	}, func(s clone.Standby, t clone.Target) error {
		s.AfterFailover = c.AfterFailover
		return s.Rollback(ctx, t, e.stdout)
	})
}

type cloneRunCmd struct {
	cloneAfterFailover
	DryRun   bool `help:"Stage only, into CLONE_STAGE_DIR: nothing is pushed, installed or started."`
	NoReport bool `help:"Write no Checkmk check, send no ping or failure mail (a run by hand reports as CRON_CLONE_STANDBY's does)."`
}

// Run is CRON_CLONE_STANDBY by hand: the report goes to the terminal, a
// failure is the exit code (the scheduled run mails it). A dry run stages
// and stops: the old tool's dry run still drilled, starting the standby.
func (c cloneRunCmd) Run(ctx context.Context, e *env) error {
	if c.DryRun {
		return cloneStageCmd{DryRun: true}.Run(ctx, e)
	}
	o, err := cloneSetup(config.CloneEverything)
	if err != nil {
		return err
	}
	o.AfterFailover = c.AfterFailover
	start := time.Now()
	release, err := o.Exclusive()
	if err != nil {
		return err
	}
	defer release()
	if c.NoReport {
		done, err := o.Run(ctx, e.stdout, start)
		if err != nil {
			fmt.Fprintln(e.stdout, err)
			return errExit{exitFailure}
		}
		fmt.Fprintf(e.stdout, "===== %s (%ds)\n", done.Summary, int(time.Since(start).Seconds()))
		return nil
	}
	// Reported as the scheduled run is: check, pings, failure mail.
	t, err := config.LoadTool()
	if err != nil {
		return err
	}
	log := newLog(e.stderr, t.Log.Level, t.Log.Format)
	if err := jobs.ByHand(ctx, t.Config(), log, "CRON_CLONE_STANDBY", e.stdout, jobs.CloneWork(t.Log.TZ.Loc, o)); err != nil {
		return errExit{exitFailure} // the work printed why
	}
	return nil
}
