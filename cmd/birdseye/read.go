package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/styliteag/birdseye/internal/audit"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/initiator"
	"github.com/styliteag/birdseye/internal/logging"
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

type eventsCmd struct {
	Initial  int     `default:"10" help:"How many of the newest events to show first (0 = none)."`
	Interval float64 `default:"60" help:"Seconds between polls (decimals allowed)."`
	Once     bool    `help:"Show the newest events and stop."`
	NoColor  bool    `help:"No colours (also when NO_COLOR is set or stdout is not a terminal)."`
}

// Run tails the audit log in the stdout line format, coloured on a terminal.
func (c eventsCmd) Run(ctx context.Context, e *env) error {
	if c.Interval <= 0 {
		return &config.Error{Var: "--interval", Msg: fmt.Sprintf("=%g is not a positive number of seconds; expected e.g. 60 or 0.5", c.Interval)}
	}
	if c.Initial < 0 || c.Initial > 10000 {
		return &config.Error{Var: "--initial", Msg: fmt.Sprintf("=%d is out of range; expected 0 to 10000", c.Initial)}
	}
	client, err := toolClient(false, "events")
	if err != nil {
		return err
	}
	t, err := config.LoadTool()
	if err != nil {
		return err
	}
	color := !c.NoColor && os.Getenv("NO_COLOR") == "" && isTerminal(e.stdout)
	return audit.Tail(ctx, client, initiator.New(client, logging.New(e.stderr, "error", "text")), audit.TailOptions{
		Initial: c.Initial, Interval: time.Duration(c.Interval * float64(time.Second)), Once: c.Once,
		Color: color, Loc: t.Log.TZ.Loc, Errors: e.stderr,
	}, e.stdout)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
