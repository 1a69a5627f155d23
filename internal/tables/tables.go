// Package tables prints what the read commands show: the old tool's policy
// list and overview, and the peer list, as text for people. (The commands'
// -o json prints the API objects instead.)
package tables

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/render"
)

// Policies is the old `list_policies` output.
func Policies(w io.Writer, ps []netbird.Policy) {
	if len(ps) == 0 {
		fmt.Fprintln(w, "No policies found.")
		return
	}
	for _, p := range ps {
		fmt.Fprintf(w, "%s  %s  enabled=%s  rules=%d\n", p.ID, render.Pad(render.Repr(p.Name), 30), render.PyBool(p.Enabled), len(p.Rules))
	}
}

// Peers is a table of peers with what an operator looks for first.
func Peers(w io.Writer, peers []netbird.Peer, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tIP\tCONNECTED\tEPHEMERAL\tLAST SEEN\tOS\tVERSION\tGROUPS")
	for _, p := range peers {
		var groups []string
		for _, g := range p.Groups {
			if g.Name != "All" {
				groups = append(groups, g.Name)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Name, p.IP, yesNo(p.Connected), yesNo(p.Ephemeral),
			Ago(p.LastSeen, now, p.Connected), p.OS, p.Version, strings.Join(groups, ","))
	}
	tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// Ago says how long ago t was, in the largest sensible unit.
func Ago(t, now time.Time, connected bool) string {
	if connected {
		return "now"
	}
	if t.IsZero() || t.Year() < 2000 {
		return "never"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd ago", int(d.Hours()/24))
	}
}

const dash = "—"

// Overview is the old `netbird_overview` report: policies, groups and
// posture checks in aligned sections, then every policy in detail.
func Overview(w io.Writer, ps []netbird.Policy, gs []netbird.Group, checks []netbird.PostureCheck) {
	section := func(title string) {
		fmt.Fprintf(w, "\n%s\n%s\n", title, strings.Repeat("=", utf8.RuneCountInString(title)))
	}
	section(fmt.Sprintf("Policies (%d)", len(ps)))
	for _, p := range ps {
		fmt.Fprintf(w, "  %s  %s  enabled=%s  rules=%d  posture_checks=%d\n", p.ID, render.Pad(render.Repr(p.Name), 35), render.PyBool(p.Enabled), len(p.Rules), len(p.SourcePostureChecks))
	}
	section(fmt.Sprintf("Groups (%d)", len(gs)))
	groupName := map[string]string{}
	for _, g := range gs {
		groupName[g.ID] = g.Name
		fmt.Fprintf(w, "  %s  %s  peers=%d  resources=%d\n", g.ID, render.Pad(render.Repr(g.Name), 35), g.PeersCount, g.ResourcesCount)
	}
	section(fmt.Sprintf("Posture Checks (%d)", len(checks)))
	checkName := map[string]string{}
	for _, c := range checks {
		checkName[c.ID] = c.Name
		var kinds []string
		for k := range c.Checks {
			kinds = append(kinds, k)
		}
		slices.Sort(kinds)
		list := strings.Join(kinds, ", ")
		if list == "" {
			list = dash
		}
		fmt.Fprintf(w, "  %s  %s  checks=[%s]\n", c.ID, render.Pad(render.Repr(c.Name), 25), list)
	}
	section("Policy Details")
	for _, p := range ps {
		fmt.Fprintf(w, "\nPolicy: %s  (%s)\n%s\n", render.Repr(p.Name), p.ID, strings.Repeat("-", 72))
		if p.Description != "" {
			fmt.Fprintf(w, "  description    : %s\n", p.Description)
		}
		fmt.Fprintf(w, "  enabled        : %s\n", render.PyBool(p.Enabled))
		var pcs []string
		for _, id := range p.SourcePostureChecks {
			name, ok := checkName[id]
			if !ok {
				name = "<unknown>"
			}
			pcs = append(pcs, fmt.Sprintf("%s (%s)", name, id))
		}
		fmt.Fprintf(w, "  posture checks : %s\n", orDash(strings.Join(pcs, ", ")))
		fmt.Fprintf(w, "  rules (%d):\n", len(p.Rules))
		for _, r := range p.Rules {
			fmt.Fprintf(w, "    Rule: %s  (%s)\n", render.Repr(r.Name), r.ID)
			fmt.Fprintf(w, "      action       : %s\n", r.Action)
			fmt.Fprintf(w, "      protocol     : %s   ports: %s\n", r.Protocol, orDash(strings.Join(rulePorts(r), ",")))
			fmt.Fprintf(w, "      bidirectional: %s\n", render.PyBool(r.Bidirectional))
			fmt.Fprintf(w, "      enabled      : %s\n", render.PyBool(r.Enabled))
			fmt.Fprintf(w, "      sources      : %s\n", groups(r.Sources, r.SourceResource))
			fmt.Fprintf(w, "      destinations : %s\n", groups(r.Destinations, r.DestinationResource))
			if len(r.AuthorizedGroups) > 0 {
				fmt.Fprintf(w, "      ssh logins   : %s\n", sshLogins(r.AuthorizedGroups, groupName))
			}
		}
	}
}

// sshLogins are a netbird-ssh rule's authorized groups: which group may log
// in as which local users, "Ops (id) as root, deploy".
func sshLogins(ag map[string][]string, groupName map[string]string) string {
	ids := slices.Sorted(maps.Keys(ag))
	slices.SortStableFunc(ids, func(a, b string) int { return strings.Compare(groupName[a], groupName[b]) })
	var parts []string
	for _, id := range ids {
		name := groupName[id]
		if name == "" {
			name = "<unknown>"
		}
		users := strings.Join(ag[id], ", ")
		if users == "" {
			users = "(any user)"
		}
		parts = append(parts, fmt.Sprintf("%s (%s) as %s", name, id, users))
	}
	return strings.Join(parts, "; ")
}

func groups(gs []netbird.GroupRef, res *netbird.Resource) string {
	var parts []string
	for _, g := range gs {
		parts = append(parts, fmt.Sprintf("%s (%s)", g.Name, g.ID))
	}
	if res != nil {
		parts = append(parts, fmt.Sprintf("resource %s (%s)", res.ID, res.Type))
	}
	return orDash(strings.Join(parts, ", "))
}

func orDash(s string) string {
	if s == "" {
		return dash
	}
	return s
}

// rulePorts are a rule's ports and then its port ranges (start-end).
func rulePorts(r netbird.PolicyRule) []string {
	out := slices.Clone(r.Ports)
	for _, pr := range r.PortRanges {
		out = append(out, fmt.Sprintf("%d-%d", pr.Start, pr.End))
	}
	return out
}
