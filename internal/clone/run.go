package clone

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// StepError is a refresh that stopped at one step (stage, install <target>,
// drill); the scheduled job mails and reports it by the step.
type StepError struct {
	Step string
	Err  error
}

func (e *StepError) Error() string { return fmt.Sprintf("FAILED at %s: %v", e.Step, e.Err) }
func (e *StepError) Unwrap() error { return e.Err }

// Run is CRON_CLONE_STANDBY and `clone run`: stage and push, install every
// target, then drill the failover target. It stops at the first step that
// fails. The summary says what was proven: a drill that could not compare
// (no NB_API_KEY) is named as skipped, never as passed.
func (o Options) Run(ctx context.Context, w io.Writer, now time.Time) (Refresh, error) {
	fmt.Fprintln(w, "== stage")
	if err := o.stageHere(ctx, w, now); err != nil {
		return Refresh{}, &StepError{Step: "stage", Err: err}
	}
	// One connection for the push, the installs and the drill.
	c, done, err := o.DialLocked(ctx, w)
	if err != nil {
		return Refresh{}, &StepError{Step: "stage", Err: err}
	}
	defer done()
	if err := o.push(ctx, c, w); err != nil {
		return Refresh{}, &StepError{Step: "stage", Err: err}
	}
	s := Standby{Shell: c, Payload: o.Payload, AfterFailover: o.AfterFailover}
	for _, t := range o.Targets() {
		fmt.Fprintf(w, "== install %s\n", t.Name)
		if err := s.Install(ctx, t, w); err != nil {
			return Refresh{}, &StepError{Step: "install " + t.Name, Err: err}
		}
	}
	if err := o.mergeCertificates(ctx, s, o.Targets(), w); err != nil {
		return Refresh{}, &StepError{Step: "certificates", Err: err}
	}
	fmt.Fprintf(w, "== drill %s\n", o.Failover().Name)
	r := s.Drill(ctx, o.Failover(), o.Verifier(), w)
	r.Text(w, true)
	when := now.Format("2006-01-02 15:04")
	switch {
	case r.Skipped != "":
		return Refresh{Summary: fmt.Sprintf("clone refreshed at %s; drill skipped: %s", when, r.Skipped)}, nil
	case !r.Passed:
		return Refresh{}, &StepError{Step: "drill", Err: fmt.Errorf("%s", r.Reason())}
	}
	summary := fmt.Sprintf("clone refreshed and drill of %s passed", r.Target)
	hot, err := o.VerifyRunning(ctx, o.Targets(), w)
	if err != nil {
		return Refresh{}, err
	}
	switch len(hot) {
	case 0:
	case 1:
		summary += "; " + hot[0] + " matches the primary"
	default:
		summary += "; " + strings.Join(hot, ", ") + " match the primary"
	}
	return Refresh{Summary: summary + " at " + when, Drilled: true}, nil
}

// VerifyRunning compares each target kept running (_AUTOSTART) with the
// primary, once it answers: an install restarted it, and no drill looks
// at it (the drill's target excepted). It returns the names that match;
// one that does not is a StepError "verify <name>". Without a token
// there is nothing to compare with.
func (o Options) VerifyRunning(ctx context.Context, targets []Target, w io.Writer) ([]string, error) {
	verify := o.Verifier()
	var ok []string
	for _, t := range targets {
		if !t.Autostart || verify == nil || t.Name == o.Failover().Name {
			continue
		}
		fmt.Fprintf(w, "== verify %s (kept running)\n", t.Name)
		v := untilServing(ctx, t, verify)
		v.Text(w, false)
		if !v.Faithful {
			return ok, &StepError{Step: "verify " + t.Name, Err: fmt.Errorf("%s", v.Reason())}
		}
		ok = append(ok, t.Name)
	}
	return ok, nil
}

// Refresh is what a refresh that did not fail proved.
type Refresh struct {
	Summary string
	Drilled bool // the drill compared the standby with the primary and it matched
}
