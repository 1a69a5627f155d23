package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/styliteag/birdseye/internal/audit"
	"github.com/styliteag/birdseye/internal/initiator"
	"github.com/styliteag/birdseye/internal/tables"
)

// output is the -o flag of every read command.
type output struct {
	Output string `short:"o" enum:"table,json" default:"table" help:"Output format: table (for people) or json (stable, for scripts)."`
}

func (o output) json() bool { return o.Output == "json" }

// rawer reads an API path's body as it came.
type rawer interface {
	GetRaw(ctx context.Context, path string) (json.RawMessage, error)
}

// apiJSON is -o json of a list: the API's own objects, unchanged, so every
// field the server sends is there, also fields newer servers add. With ids,
// only the objects with those ids, in the API's order.
func apiJSON(ctx context.Context, w io.Writer, c rawer, path string, ids ...string) error {
	raw, err := c.GetRaw(ctx, path)
	if err != nil {
		return adminHint(err)
	}
	if ids == nil {
		return writeJSON(w, raw)
	}
	var all []json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		return fmt.Errorf("GET /api%s: %w", path, err)
	}
	kept := []json.RawMessage{}
	for _, o := range all {
		var id struct{ ID string }
		json.Unmarshal(o, &id)
		if slices.Contains(ids, id.ID) {
			kept = append(kept, o)
		}
	}
	return writeJSON(w, kept)
}

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
	_, client, err := tool(readToken, "policies list")
	if err != nil {
		return err
	}
	if c.json() {
		return apiJSON(ctx, e.stdout, client, "/policies")
	}
	ps, err := client.ListPolicies(ctx)
	if err != nil {
		return adminHint(err)
	}
	tables.Policies(e.stdout, ps)
	return nil
}

type overviewCmd struct{ output }

// Run prints policies, groups and posture checks, then each policy in detail.
func (c overviewCmd) Run(ctx context.Context, e *env) error {
	_, client, err := tool(readToken, "overview")
	if err != nil {
		return err
	}
	if c.json() {
		out := map[string]json.RawMessage{}
		for key, path := range map[string]string{"policies": "/policies", "groups": "/groups", "posture_checks": "/posture-checks"} {
			if out[key], err = client.GetRaw(ctx, path); err != nil {
				return adminHint(err)
			}
		}
		return writeJSON(e.stdout, out)
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
	tables.Overview(e.stdout, ps, gs, checks)
	return nil
}

type eventsCmd struct {
	Initial  int     `default:"10" help:"How many of the newest events to show first (0 = none)."`
	Interval float64 `placeholder:"SECONDS" default:"60" help:"Seconds between polls (decimals allowed)."`
	Once     bool    `help:"Show the newest events and stop."`
	NoColor  bool    `help:"No colours (also when NO_COLOR is set or stdout is not a terminal)."`
	Output   string  `short:"o" enum:"table,json" default:"table" help:"Output format: table (the stdout line) or json (one object per line)."`
}

// Run tails the audit log in the stdout line format, coloured on a terminal.
func (c eventsCmd) Run(ctx context.Context, e *env) error {
	if c.Interval <= 0 {
		return &flagError{Flag: "--interval", Msg: fmt.Sprintf("=%g is not a positive number of seconds; expected e.g. 60 or 0.5", c.Interval)}
	}
	if c.Initial < 0 || c.Initial > 10000 {
		return &flagError{Flag: "--initial", Msg: fmt.Sprintf("=%d is out of range; expected 0 to 10000", c.Initial)}
	}
	t, client, err := tool(readToken, "events")
	if err != nil {
		return err
	}
	color := !c.NoColor && os.Getenv("NO_COLOR") == "" && isTerminal(e.stdout)
	return audit.Tail(ctx, client, initiator.New(client, newLog(e.stderr, "error", "text")), audit.TailOptions{
		Initial: c.Initial, Interval: time.Duration(c.Interval * float64(time.Second)), Once: c.Once,
		Color: color && c.Output != "json", JSON: c.Output == "json", Loc: t.Log.TZ.Loc, Errors: e.stderr,
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
