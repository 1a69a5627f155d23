package main

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/styliteag/birdseye/internal/report"
)

// output is the -o flag of every read command.
type output struct {
	Output string `short:"o" enum:"table,json" default:"table" help:"Output format: table (for people) or json (stable, for scripts)."`
}

func (o output) json() bool { return o.Output == "json" }

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

type policiesCmd struct {
	List policiesListCmd `cmd:"" help:"List the policies: id, name, enabled, number of rules."`
}

type policiesListCmd struct{ output }

func (c policiesListCmd) Run(ctx context.Context, e *env) error {
	client, err := toolClient(false, "policies list")
	if err != nil {
		return err
	}
	ps, err := client.ListPolicies(ctx)
	if err != nil {
		return adminHint(err)
	}
	if c.json() {
		return writeJSON(e.stdout, ps)
	}
	report.Policies(e.stdout, ps)
	return nil
}

type peersCmd struct {
	List peersListCmd `cmd:"" help:"List the peers: IP, connected, ephemeral, last seen, OS, version, groups."`
}

type peersListCmd struct{ output }

func (c peersListCmd) Run(ctx context.Context, e *env) error {
	client, err := toolClient(false, "peers list")
	if err != nil {
		return err
	}
	peers, err := client.ListPeers(ctx)
	if err != nil {
		return adminHint(err)
	}
	if c.json() {
		return writeJSON(e.stdout, peers)
	}
	report.Peers(e.stdout, peers, time.Now())
	return nil
}

type overviewCmd struct{ output }

// Run prints policies, groups and posture checks, then each policy in detail.
func (c overviewCmd) Run(ctx context.Context, e *env) error {
	client, err := toolClient(false, "overview")
	if err != nil {
		return err
	}
	ps, err := client.ListPolicies(ctx)
	if err != nil {
		return adminHint(err)
	}
	gs, err := client.ListGroups(ctx)
	if err != nil {
		return adminHint(err)
	}
	checks, err := client.ListPostureChecks(ctx)
	if err != nil {
		return adminHint(err)
	}
	if c.json() {
		return writeJSON(e.stdout, map[string]any{"policies": ps, "groups": gs, "posture_checks": checks})
	}
	report.Overview(e.stdout, ps, gs, checks)
	return nil
}
