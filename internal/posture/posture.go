// Package posture attaches a posture check to policies or detaches it, as the
// old tool's manage_posture script did: one policy (by exact name) or all,
// policies whose description says POSTURE_IGNORE are left alone when adding,
// every change is printed before -> after, and the policy is written back
// with every field it had (the old script dropped unknown rule fields).
package posture

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/render"
)

// API is what the command needs; *netbird.Client is one.
type API interface {
	ListPolicies(ctx context.Context) ([]netbird.Policy, error)
	ListPostureChecks(ctx context.Context) ([]netbird.PostureCheck, error)
	UpdatePolicy(ctx context.Context, id string, u netbird.PolicyUpdate) (netbird.Policy, error)
}

// Ignore in a policy's description keeps `posture add` away from it.
const Ignore = "POSTURE_IGNORE"

// Error is a refusal: a name that is unknown or ambiguous.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// Options of a run.
type Options struct {
	Check  string // posture check name
	Policy string // policy name; empty = all policies
	Remove bool
	DryRun bool
}

// Result counts what a run did.
type Result struct{ Changed, Skipped, Ignored int }

// Run adds or removes the posture check and reports to w.
func Run(ctx context.Context, api API, o Options, w io.Writer) (Result, error) {
	var r Result
	checks, err := api.ListPostureChecks(ctx)
	if err != nil {
		return r, fmt.Errorf("list posture checks: %w", err)
	}
	var check *netbird.PostureCheck
	var available []string
	for i, c := range checks {
		available = append(available, render.Repr(c.Name))
		if c.Name == o.Check {
			if check != nil {
				return r, &Error{fmt.Sprintf("multiple posture checks named %s; refusing to guess", render.Repr(o.Check))}
			}
			check = &checks[i]
		}
	}
	if check == nil {
		return r, &Error{fmt.Sprintf("posture check %s not found; available: %s", render.Repr(o.Check), orNone(available))}
	}
	policies, err := api.ListPolicies(ctx)
	if err != nil {
		return r, fmt.Errorf("list policies: %w", err)
	}
	targets := policies
	if o.Policy != "" {
		targets = nil
		var names []string
		for _, p := range policies {
			names = append(names, render.Repr(p.Name))
			if p.Name == o.Policy {
				targets = append(targets, p)
			}
		}
		switch len(targets) {
		case 0:
			return r, &Error{fmt.Sprintf("policy %s not found; available: %s", render.Repr(o.Policy), orNone(names))}
		case 1:
		default:
			return r, &Error{fmt.Sprintf("%d policies are named %s; refusing to guess", len(targets), render.Repr(o.Policy))}
		}
	}
	verb := "add"
	if o.Remove {
		verb = "remove"
	}
	prefix := ""
	if o.DryRun {
		prefix = "[dry-run] "
	}
	fmt.Fprintf(w, "%s%s posture %s (%s) on %d policy(ies):\n", prefix, verb, render.Repr(check.Name), check.ID, len(targets))
	for _, p := range targets {
		label := fmt.Sprintf("%s (%s)", render.Repr(p.Name), p.ID)
		if !o.Remove && strings.Contains(p.Description, Ignore) {
			fmt.Fprintf(w, "  %s: skipped (%s in description)\n", label, Ignore)
			r.Ignored++
			continue
		}
		next := slices.Clone(p.SourcePostureChecks)
		if o.Remove {
			next = slices.DeleteFunc(next, func(id string) bool { return id == check.ID })
		} else if !slices.Contains(next, check.ID) {
			next = append(next, check.ID)
		}
		if slices.Equal(next, p.SourcePostureChecks) || (len(next) == 0 && len(p.SourcePostureChecks) == 0) {
			fmt.Fprintf(w, "  %s: no change\n", label)
			r.Skipped++
			continue
		}
		fmt.Fprintf(w, "  %s: %s -> %s\n", label, pyList(checkNames(p.SourcePostureChecks, checks)), pyList(checkNames(next, checks)))
		r.Changed++
		if o.DryRun {
			continue
		}
		u := p.Update()
		u.SourcePostureChecks = next
		if _, err := api.UpdatePolicy(ctx, p.ID, u); err != nil {
			return r, fmt.Errorf("update policy %s: %w", p.Name, err)
		}
	}
	fmt.Fprintf(w, "\nDone. changed=%d skipped=%d ignored=%d dry_run=%s\n", r.Changed, r.Skipped, r.Ignored, render.PyBool(o.DryRun))
	return r, nil
}

// checkNames shows posture checks by name (an id no check has stays an id).
func checkNames(ids []string, checks []netbird.PostureCheck) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id
		for _, c := range checks {
			if c.ID == id {
				out[i] = c.Name
			}
		}
	}
	return out
}

func pyList(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = render.Repr(id)
	}
	return "[" + strings.Join(out, ", ") + "]"
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "<none>"
	}
	return strings.Join(s, ", ")
}
