package main

import (
	"cmp"
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/configdoc"
	"github.com/styliteag/birdseye/internal/jobs"
	"github.com/styliteag/birdseye/internal/mirror"
	"github.com/styliteag/birdseye/internal/netbird"
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
	From        string   `placeholder:"FILE" help:"Apply this document (birdseye export --by-name), or every such document of a directory, instead of NB_URL's account: restore a configuration into MIRROR_URL, or keep it in git. Checked whole before anything is written."`
}

// Run mirrors NB_URL's account onto MIRROR_URL. The source client is a
// netbird.ReadOnly: nothing here can write to it.
func (c mirrorCmd) Run(ctx context.Context, e *env) error {
	var t *config.Tool
	var src mirror.Source
	if c.From != "" {
		// The document is the source: NB_URL is not needed.
		if err := config.LoadDotEnv(".env"); err != nil {
			return err
		}
		var err error
		if t, err = config.LoadTool(); err != nil {
			return err
		}
		d, err := configdoc.LoadPath(c.From)
		if err != nil {
			return &flagError{Flag: "--from", Msg: err.Error()}
		}
		src = d.Source(c.From)
	} else {
		var srcClient *netbird.Client
		var err error
		if t, srcClient, err = tool(readToken, "mirror"); err != nil {
			return err
		}
		src = srcClient.ReadOnly()
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
		counts, err = mirror.Run(ctx, src, dst, o, w)
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
		}{Source: cmp.Or(c.From, t.NetBird.URL), Target: m.URL, Apply: o.Apply, Sections: o.Sections, Result: counts}
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
