package main

import (
	"context"
	"fmt"
	"time"

	"github.com/styliteag/birdseye/internal/apiclient"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/mirror"
)

type mirrorCmd struct {
	Apply   bool     `help:"Write to the target. Without it: a dry run that only reports."`
	NoPrune bool     `help:"Do not delete what the target has and the source does not (MIRROR_PRUNE=false does so always)."`
	Only    []string `sep:"," placeholder:"a,b" help:"Only these sections (replaces MIRROR_SECTIONS)."`
	Skip    []string `sep:"," placeholder:"a,b" help:"Leave these sections out."`
	Verbose bool     `short:"v" help:"Also list what is in sync, and each changed field before and after."`
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
	sections, err := mirror.Choose(config.SplitComma(m.Sections), c.Only, c.Skip)
	if err != nil {
		return &flagError{Flag: "MIRROR_SECTIONS/--only/--skip", Msg: err.Error()}
	}
	if same, why := mirror.SameHost(ctx, t.NetBird.URL, m.URL); same {
		return &config.Error{Var: "MIRROR_URL", Msg: "is the source: REFUSING: source and target are the same host (" + why + "); expected another controller"}
	}
	dst, err := apiclient.New(config.NetBird{URL: m.URL, CAFile: t.NetBird.CAFile}, m.APIKey.Reveal())
	if err != nil {
		return fmt.Errorf("MIRROR_URL: %w", err)
	}
	o := mirror.Options{Apply: c.Apply, Prune: bool(m.Prune) && !c.NoPrune, Sections: sections, Protected: m.ProtectedGroups(),
		Verbose: c.Verbose, SnapshotDir: m.SnapshotDir, Now: time.Now(), Loc: t.Log.TZ.Loc}
	if _, err := mirror.Run(ctx, srcClient.ReadOnly(), dst, o, e.stdout); err != nil {
		return errExit{exitFailure}
	}
	return nil
}
