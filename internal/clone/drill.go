package clone

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/styliteag/birdseye/internal/sshremote"
)

// DrillResult is the verdict of a drill, for people and for -o json.
type DrillResult struct {
	Target   string        `json:"target"`
	Started  bool          `json:"started"`
	Verified *Verification `json:"verification,omitempty"`
	Skipped  string        `json:"skipped,omitempty"` // why there was no comparison
	Stopped  bool          `json:"stopped"`
	Problem  string        `json:"problem,omitempty"`
	Passed   bool          `json:"passed"`
	Why      string        `json:"reason,omitempty"` // Reason, for scripts
}

// VerifyFunc compares the started standby with the primary; nil when
// there is no token to do it with.
type VerifyFunc func(ctx context.Context, t Target) *Verification

// Drill starts a stopped target, compares it with the primary, and stops
// it again whatever happened (a hot standby keeps running). A drill
// without a comparison is reported as skipped, never as passed: the old
// tool claimed "drill passed" there.
func (s Standby) Drill(ctx context.Context, t Target, verify VerifyFunc, w io.Writer) *DrillResult {
	r := &DrillResult{Target: t.Name}
	if verify == nil {
		r.Skipped = "NB_API_KEY is not set, so the standby cannot be compared with the primary"
		return r
	}
	if err := s.refuseLive(t, "a drill"); err != nil {
		r.Problem = err.Error()
		r.Why = r.Reason()
		return r
	}
	env := t.composeEnv()
	if err := s.Shell.Stream(ctx, "bash -c "+sshremote.Quote("set -euo pipefail\n"+env+"dc up -d\ndc ps"), w); err != nil {
		r.Problem = "the stack did not start: " + err.Error()
	} else {
		r.Started = true
		r.Verified = untilServing(ctx, t, verify)
	}
	if !t.Autostart {
		// A fresh context: a cancelled drill must still stop what it started.
		if err := s.Shell.Stream(context.WithoutCancel(ctx), "bash -c "+sshremote.Quote(env+"dc down --remove-orphans"), w); err != nil && r.Problem == "" {
			r.Problem = "the stack did not stop again: " + err.Error()
		} else if err == nil {
			r.Stopped = true
		}
	}
	r.Passed = r.Problem == "" && r.Verified != nil && r.Verified.Faithful
	r.Why = r.Reason()
	return r
}

// DrillPatience is how long a started stack has to answer before the
// drill compares what it has: a management server takes seconds to open
// its store (the old tool waited a fixed 6 s, too short on a slow host).
var DrillPatience = 2 * time.Minute

// untilServing verifies until the standby answers, or DrillPatience ends.
func untilServing(ctx context.Context, t Target, verify VerifyFunc) *Verification {
	deadline := time.Now().Add(DrillPatience)
	for {
		v := verify(ctx, t)
		if !v.starting() || time.Now().After(deadline) || ctx.Err() != nil {
			return v
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// Text is the drill's verdict in one screen.
func (r *DrillResult) Text(w io.Writer, failover bool) {
	if r.Verified != nil {
		r.Verified.Text(w, failover)
	}
	switch {
	case r.Skipped != "":
		fmt.Fprintf(w, "Drill of %s SKIPPED: %s.\n", r.Target, r.Skipped)
	case r.Passed:
		fmt.Fprintf(w, "Drill of %s passed.\n", r.Target)
	case r.Problem != "":
		fmt.Fprintf(w, "Drill of %s FAILED: %s\n", r.Target, r.Problem)
	default:
		fmt.Fprintf(w, "Drill of %s FAILED — see above.\n", r.Target)
	}
}

// Reason says in one line why a drill did not pass: what went wrong, or
// which compared values differ.
func (r *DrillResult) Reason() string {
	switch {
	case r.Passed:
		return ""
	case r.Skipped != "":
		return "skipped: " + r.Skipped
	case r.Problem != "":
		return r.Problem
	case r.Verified == nil:
		return "the standby was not compared"
	}
	return r.Verified.Reason()
}
