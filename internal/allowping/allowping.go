// Package allowping keeps an ICMP "companion" policy ("ZPING: <name>") next
// to every policy whose rules allow only some protocols, so that peers that
// may talk can also ping each other, as the old tool's allow_ping script
// did: companions are created when missing, rewritten when they drift from
// their original, deleted when the original is gone, marked PING_IGNORE or
// no longer needs one. A companion's description carries POSTURE_IGNORE
// over from its original, so that `posture add` and allow-ping do not undo
// each other. Rules with protocol netbird-ssh get no companion (SSH through
// NetBird is not a network path to ping) and are never touched.
package allowping

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/render"
)

// API is what the reconciliation needs; *netbird.Client is one.
type API interface {
	ListPolicies(ctx context.Context) ([]netbird.Policy, error)
	CreatePolicy(ctx context.Context, u netbird.PolicyUpdate) (netbird.Policy, error)
	UpdatePolicy(ctx context.Context, id string, u netbird.PolicyUpdate) (netbird.Policy, error)
	DeletePolicy(ctx context.Context, id string) error
}

// Markers in a policy's description.
const (
	PingIgnore    = "PING_IGNORE"
	PostureIgnore = "POSTURE_IGNORE"
	DefaultPrefix = "ZPING: "
)

// Options of a run.
type Options struct {
	Prefix    string
	DryRun    bool
	RemoveAll bool
}

// Result counts what a run did.
type Result struct{ Created, Updated, Deleted, Unchanged, Ignored int }

// Run reconciles the companions and reports to w.
func Run(ctx context.Context, api API, o Options, w io.Writer) (Result, error) {
	var r Result
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	all, err := api.ListPolicies(ctx)
	if err != nil {
		return r, fmt.Errorf("list policies: %w", err)
	}
	var originals, companions []netbird.Policy
	for _, p := range all {
		if strings.HasPrefix(p.Name, o.Prefix) {
			companions = append(companions, p)
		} else {
			originals = append(originals, p)
		}
	}
	dry := ""
	if o.DryRun {
		dry = "[dry-run] "
	}
	del := func(p netbird.Policy) error {
		if !strings.HasPrefix(p.Name, o.Prefix) {
			return fmt.Errorf("refusing to delete %s: name does not start with %s", render.Repr(p.Name), render.Repr(o.Prefix))
		}
		if o.DryRun {
			return nil
		}
		return api.DeletePolicy(ctx, p.ID)
	}
	if o.RemoveAll {
		if len(companions) == 0 {
			fmt.Fprintf(w, "No policies starting with %s found.\n", render.Repr(o.Prefix))
			return r, nil
		}
		fmt.Fprintf(w, "%sDeleting %d companion policy(ies):\n", dry, len(companions))
		for _, c := range companions {
			fmt.Fprintf(w, "  - %s (%s)\n", render.Repr(c.Name), c.ID)
			if err := del(c); err != nil {
				return r, fmt.Errorf("delete %s: %w", c.Name, err)
			}
			r.Deleted++
		}
		return r, nil
	}

	fmt.Fprintf(w, "%sZPING sync (%d originals, %d companions):\n", dry, len(originals), len(companions))
	byName := map[string]netbird.Policy{}
	for _, c := range companions {
		byName[c.Name] = c
	}
	// 1. Companions that should exist and do not.
	for _, orig := range originals {
		if _, exists := byName[o.Prefix+orig.Name]; exists || strings.Contains(orig.Description, PingIgnore) {
			continue
		}
		want, ok := Desired(orig, o.Prefix)
		if !ok {
			continue
		}
		fmt.Fprintf(w, "  + %s  (from %s: %s; %d icmp rule(s))\n", render.Repr(want.Name), render.Repr(orig.Name), ruleSummary(orig), len(want.Rules))
		r.Created++
		if !o.DryRun {
			if _, err := api.CreatePolicy(ctx, want); err != nil {
				return r, fmt.Errorf("create %s: %w", want.Name, err)
			}
		}
	}
	// 2. Originals that opt out.
	for _, orig := range originals {
		if _, exists := byName[o.Prefix+orig.Name]; !exists && strings.Contains(orig.Description, PingIgnore) {
			fmt.Fprintf(w, "  · %s (%s)  (skipped, %s in description)\n", render.Repr(orig.Name), orig.ID, PingIgnore)
			r.Ignored++
		}
	}
	// 3. Existing companions.
	origByName := map[string]netbird.Policy{}
	for _, orig := range originals {
		origByName[orig.Name] = orig
	}
	for _, c := range companions {
		orig, found := origByName[strings.TrimPrefix(c.Name, o.Prefix)]
		want, needed := Desired(orig, o.Prefix)
		reason := ""
		switch {
		case !found:
			reason = "original missing"
		case strings.Contains(orig.Description, PingIgnore):
			reason = "original marked " + PingIgnore
		case !needed:
			reason = "original now allows icmp"
		}
		if reason != "" {
			fmt.Fprintf(w, "  - %s (%s)  (%s)\n", render.Repr(c.Name), c.ID, reason)
			if err := del(c); err != nil {
				return r, fmt.Errorf("delete %s: %w", c.Name, err)
			}
			r.Deleted++
			continue
		}
		if signature(c.Update()) == signature(want) {
			r.Unchanged++
			continue
		}
		fmt.Fprintf(w, "  ~ %s (%s)  (drift from %s)\n", render.Repr(c.Name), c.ID, render.Repr(orig.Name))
		for _, d := range drift(c.Update(), want) {
			fmt.Fprintf(w, "      %s\n", d)
		}
		r.Updated++
		if !o.DryRun {
			if _, err := api.UpdatePolicy(ctx, c.ID, want); err != nil {
				return r, fmt.Errorf("update %s: %w", c.Name, err)
			}
		}
	}
	fmt.Fprintf(w, "\nSummary: created=%d updated=%d deleted=%d unchanged=%d ignored=%d dry_run=%s\n",
		r.Created, r.Updated, r.Deleted, r.Unchanged, r.Ignored, render.PyBool(o.DryRun))
	return r, nil
}

// qualifies: a rule that allows only some protocols gets an ICMP companion.
func qualifies(r netbird.PolicyRule) bool {
	switch strings.ToLower(r.Protocol) {
	case "all", "icmp", "netbird-ssh":
		return false
	}
	return true
}

func endpoint(groups []netbird.GroupRef, res *netbird.Resource) string {
	if res != nil {
		return "resource:" + res.ID
	}
	ids := make([]string, len(groups))
	for i, g := range groups {
		ids[i] = g.ID
	}
	slices.Sort(ids)
	return "groups:" + strings.Join(ids, ",")
}

// Desired is the companion an original wants; false when it needs none.
func Desired(orig netbird.Policy, prefix string) (netbird.PolicyUpdate, bool) {
	desc := "Auto-generated ICMP companion for " + render.Repr(orig.Name)
	if strings.Contains(orig.Description, PostureIgnore) {
		desc += " " + PostureIgnore
	}
	u := netbird.PolicyUpdate{Name: prefix + orig.Name, Description: desc, Enabled: orig.Enabled, SourcePostureChecks: slices.Clone(orig.SourcePostureChecks)}
	seen := map[string]bool{}
	for _, r := range orig.Rules {
		if !qualifies(r) {
			continue
		}
		key := endpoint(r.Sources, r.SourceResource) + "|" + endpoint(r.Destinations, r.DestinationResource)
		if seen[key] {
			continue
		}
		seen[key] = true
		action := cmp.Or(r.Action, "accept")
		ru := netbird.RuleUpdate{Name: prefix + r.Name, Description: "Auto-generated ICMP companion", Enabled: true, Action: action,
			Protocol: "icmp", Bidirectional: r.Bidirectional, SourceResource: r.SourceResource, DestinationResource: r.DestinationResource}
		if r.SourceResource == nil {
			ru.Sources = ids(r.Sources)
		}
		if r.DestinationResource == nil {
			ru.Destinations = ids(r.Destinations)
		}
		u.Rules = append(u.Rules, ru)
	}
	return u, len(u.Rules) > 0
}

func ids(gs []netbird.GroupRef) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.ID
	}
	return out
}

// signature is what must match for a companion to be in step: the old
// tool's fields plus the resources, which it did not compare.
func signature(u netbird.PolicyUpdate) string {
	enabled, description, pcs, rules := parts(u)
	return fmt.Sprintf("%s|%s|%s|%s", enabled, description, pcs, rules)
}

// drift is what differs between a companion and what it should be, one
// "field: before -> after" each.
func drift(have, want netbird.PolicyUpdate) []string {
	h1, h2, h3, h4 := parts(have)
	w1, w2, w3, w4 := parts(want)
	var out []string
	for _, f := range []struct{ name, before, after string }{
		{"enabled", h1, w1}, {"description", h2, w2}, {"posture checks", h3, w3}, {"rules", h4, w4},
	} {
		if f.before != f.after {
			out = append(out, f.name+": "+f.before+" -> "+f.after)
		}
	}
	return out
}

// parts are the compared fields of a policy, each as text.
func parts(u netbird.PolicyUpdate) (enabled, description, postureChecks, rules string) {
	pcs := slices.Clone(u.SourcePostureChecks)
	slices.Sort(pcs)
	var rs []string
	for _, r := range u.Rules {
		src, dst := slices.Clone(r.Sources), slices.Clone(r.Destinations)
		slices.Sort(src)
		slices.Sort(dst)
		res := func(x *netbird.Resource) string {
			if x == nil {
				return ""
			}
			return x.ID + "/" + x.Type
		}
		rs = append(rs, fmt.Sprintf("%q %s %s %v %v bidirectional=%t enabled=%t %s %s", r.Name, cmp.Or(r.Action, "accept"), strings.ToLower(r.Protocol),
			src, dst, r.Bidirectional, r.Enabled, res(r.SourceResource), res(r.DestinationResource)))
	}
	slices.Sort(rs)
	return fmt.Sprintf("%t", u.Enabled), fmt.Sprintf("%q", u.Description), fmt.Sprintf("%v", pcs), "[" + strings.Join(rs, "; ") + "]"
}

func ruleSummary(p netbird.Policy) string {
	var parts []string
	for _, r := range p.Rules {
		ports := strings.Join(r.Ports, ",")
		if ports == "" {
			ports = "—"
		}
		parts = append(parts, fmt.Sprintf("%s (%s/%s)", render.Repr(r.Name), cmp.Or(r.Protocol, "?"), ports))
	}
	return strings.Join(parts, ", ")
}
