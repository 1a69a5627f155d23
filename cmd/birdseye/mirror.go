package main

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/styliteag/birdseye/internal/jobs"
	"github.com/styliteag/birdseye/internal/mirror"
)

type mirrorCmd struct {
	Apply       bool     `help:"Write to the target. Without it: a dry run that only reports."`
	NoPrune     bool     `help:"Do not delete what the target has and the source does not (MIRROR_PRUNE=false does so always)."`
	Only        []string `sep:"," placeholder:"a,b" help:"Only these sections (replaces MIRROR_SECTIONS)."`
	Skip        []string `sep:"," placeholder:"a,b" help:"Leave these sections out."`
	CreateUsers bool     `help:"Create the users the target lacks (people are invited; a service user is created); MIRROR_CREATE_USERS=true does so always."`
	Verbose     bool     `short:"v" help:"Also list what is in sync."`
	Output      string   `short:"o" enum:"table,json" default:"table" help:"table, or json: the plan (or what was applied, and what remains) for scripts."`
	NoReport    bool     `help:"Write no Checkmk check, send no ping or failure mail (a run by hand reports as CRON_MIRROR_ACCOUNT's does)."`
}

// Run mirrors NB_URL's account onto MIRROR_URL. The source client is a
// netbird.ReadOnly: nothing here can write to it.
func (c mirrorCmd) Run(ctx context.Context, e *env) error {
	t, srcClient, err := tool(readToken, "mirror")
	if err != nil {
		return err
	}
	m := t.Mirror
	if err := m.Require(); err != nil {
		return err
	}
	if _, err := mirror.Choose(nil, c.Only, c.Skip); err != nil {
		return &flagError{Flag: "--only/--skip", Msg: err.Error()}
	}
	cfg := t.Config()
	cfg.Mirror = m
	o, err := jobs.MirrorOptions(m, t.Log.TZ.Loc, c.Apply, bool(m.Prune) && !c.NoPrune, c.Only, c.Skip)
	if err != nil {
		return err
	}
	dst, err := jobs.MirrorTarget(ctx, t.NetBird, m)
	if err != nil {
		return err
	}
	o.Verbose, o.CreateUsers, o.Now = c.Verbose, o.CreateUsers || c.CreateUsers, time.Now()
	out := e.stdout
	if c.Output == "json" {
		out = io.Discard
	}
	var counts mirror.Counts
	run := func(ctx context.Context, w io.Writer) (mirror.Counts, error) {
		var err error
		counts, err = mirror.Run(ctx, srcClient.ReadOnly(), dst, o, w)
		return counts, err
	}
	if c.NoReport {
		_, err = run(ctx, out)
	} else {
		log := newLog(e.stderr, t.Log.Level, t.Log.Format)
		err = jobs.ByHand(ctx, cfg, log, "CRON_MIRROR_ACCOUNT", out, jobs.MirrorWork(run))
	}
	if c.Output == "json" {
		report := struct {
			Source   string        `json:"source"`
			Target   string        `json:"target"`
			Apply    bool          `json:"apply"`
			Sections []string      `json:"sections"`
			Result   mirror.Counts `json:"result"`
			Error    string        `json:"error,omitempty"`
		}{Source: t.NetBird.URL, Target: m.URL, Apply: o.Apply, Sections: o.Sections, Result: counts}
		if err != nil {
			report.Error = err.Error()
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if werr := enc.Encode(report); werr != nil {
			return werr
		}
	}
	if err != nil && c.Output == "json" {
		return errExit{exitFailure} // the report holds the error
	}
	return err // said on stderr: a target that cannot be read prints no plan
}
