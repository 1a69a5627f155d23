package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/destinations"
)

type sinksCmd struct {
	Test sinksTestCmd `cmd:"" help:"Send a sample event (birdseye.test) to every configured sink, or the one named, and say how each took it."`
}

type sinksTestCmd struct {
	Name string `arg:"" optional:"" help:"Only this sink: stdout, mattermost, slack, discord, teams, webhook, syslog, file, ntfy or email."`
}

// Run sends the sample straight to each sink (no outbox, no filter) and
// prints one line a sink; exit 1 when one failed, 2 for an unknown name.
func (c sinksTestCmd) Run(ctx context.Context, e *env) error {
	if err := config.LoadDotEnv(".env"); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	results, err := destinations.Test(ctx, cfg, e.stdout, c.Name)
	if ue := (*destinations.UnknownError)(nil); errors.As(err, &ue) {
		return &flagError{Flag: "sinks test NAME", Msg: "=" + ue.Error()}
	}
	if err != nil {
		return err
	}
	failed := 0
	secrets := config.SecretValues() // a far end may echo one back in its refusal
	for _, r := range results {
		if r.Err != nil {
			failed++
			fmt.Fprintf(e.stderr, "FAIL  %-10s %s\n", r.Sink, config.Scrub(r.Err.Error(), secrets))
		} else {
			fmt.Fprintf(e.stderr, "ok    %-10s took the sample event\n", r.Sink)
		}
	}
	if failed > 0 {
		return errExit{code: exitFailure}
	}
	return nil
}
