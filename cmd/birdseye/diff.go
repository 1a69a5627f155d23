package main

import (
	"context"

	"github.com/styliteag/birdseye/internal/apiclient"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/configdoc"
)

type diffCmd struct {
	A      string `arg:"" help:"A document of export --by-name (or a directory of them), or NB_URL or MIRROR_URL for that live server."`
	B      string `arg:"" help:"The same for the other side."`
	Output string `short:"o" enum:"table,json,markdown" default:"table" help:"table, json (for scripts) or markdown (for a review)."`
}

// Run compares two configurations by name, field by field; exit 1 when
// they differ (for CI on a configuration repository).
func (c diffCmd) Run(ctx context.Context, e *env) error {
	if err := config.LoadDotEnv(".env"); err != nil {
		return err
	}
	t, err := config.LoadTool()
	if err != nil {
		return err
	}
	a, err := side(ctx, t, c.A, "A")
	if err != nil {
		return err
	}
	b, err := side(ctx, t, c.B, "B")
	if err != nil {
		return err
	}
	changes := configdoc.Diff(a, b)
	if err := configdoc.WriteDiff(e.stdout, changes, c.A, c.B, c.Output); err != nil {
		return err
	}
	if len(changes) > 0 {
		return errExit{exitFailure}
	}
	return nil
}

// side reads one side: a live server by its variable's name, else a file.
func side(ctx context.Context, t *config.Tool, arg, which string) (*configdoc.Doc, error) {
	var nb config.NetBird
	switch arg {
	case "NB_URL":
		if err := t.CheckURL(); err != nil {
			return nil, err
		}
		nb = t.NetBird
		tok, err := nb.Token(false, "diff")
		if err != nil {
			return nil, err
		}
		nb.APIKey = config.Secret(tok)
	case "MIRROR_URL":
		if err := t.Mirror.Require(); err != nil {
			return nil, err
		}
		nb = config.NetBird{URL: t.Mirror.URL, APIKey: t.Mirror.APIKey, CAFile: t.NetBird.CAFile}
	default:
		d, err := configdoc.LoadPath(arg)
		if err != nil {
			return nil, &flagError{Flag: which, Msg: err.Error()}
		}
		return d, nil
	}
	client, err := apiclient.New(nb, nb.APIKey.Reveal())
	if err != nil {
		return nil, err
	}
	d, err := configdoc.Read(ctx, client)
	if err != nil {
		return nil, adminHint(err)
	}
	return d, nil
}
