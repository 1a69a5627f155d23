package main

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/lint"
)

type lintCmd struct {
	Output    string   `short:"o" enum:"table,json,markdown" default:"table" help:"Output format: table (for people), json (for scripts), markdown (for a wiki page or a ticket)."`
	FailOn    string   `name:"fail-on" default:"high" help:"Exit 1 when a finding is at or above this severity: info, low, medium, high, critical, or none."`
	Skip      []string `sep:"," help:"Check ids not to run, besides LINT_SKIP, e.g. --skip login-expiration-off."`
	List      bool     `help:"List the checks (id, severity, what each looks for) and stop."`
	StaleDays int      `name:"stale-days" default:"-1" help:"Days a peer not seen counts as stale (default LINT_STALE_DAYS, 90)."`
}

// Run reads the account (GET requests only) and reports what makes it
// unsafe or brittle.
func (c lintCmd) Run(ctx context.Context, e *env) error {
	if c.List {
		for _, ch := range lint.Checks {
			if _, err := e.stdout.Write([]byte(ch.Severity.String() + "\t" + ch.ID + "\t" + ch.Title + "\n")); err != nil {
				return err
			}
		}
		return nil
	}
	failOn := lint.Critical + 1
	if c.FailOn != "none" {
		s, err := lint.ParseSeverity(c.FailOn)
		if err != nil {
			return &flagError{Flag: "--fail-on", Msg: err.Error() + ", or none"}
		}
		failOn = s
	}
	t, client, err := tool(readToken, "lint")
	if err != nil {
		return err
	}
	skip := append(slices.Clone([]string(t.Lint.Skip)), c.Skip...)
	for _, id := range skip {
		if !lint.Known(strings.TrimSpace(id)) {
			return &flagError{Flag: "--skip / LINT_SKIP", Msg: "names " + id + ", which is no check; `birdseye lint --list` lists them"}
		}
	}
	stale := int(t.Lint.StaleDays)
	if c.StaleDays >= 0 {
		stale = c.StaleDays
	}
	a, gaps, err := lint.Read(ctx, client)
	if err != nil {
		return adminHint(err)
	}
	r := lint.Report{Findings: lint.Run(a, lint.Options{Now: time.Now(), StaleDays: stale, DisabledDays: 90, Skip: skip}), Gaps: gaps,
		Checks: len(lint.Checks) - len(skip)}
	switch c.Output {
	case "json":
		err = r.WriteJSON(e.stdout)
	case "markdown":
		err = r.WriteMarkdown(e.stdout)
	default:
		err = r.WriteTable(e.stdout)
	}
	if err != nil {
		return err
	}
	if r.AtLeast(failOn) {
		return errExit{exitFailure}
	}
	return nil
}
