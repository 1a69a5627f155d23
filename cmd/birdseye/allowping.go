package main

import (
	"context"

	"github.com/styliteag/birdseye/internal/allowping"
)

type allowPingCmd struct {
	RemoveAll bool   `help:"Delete every companion policy."`
	Prefix    string `default:"ZPING: " help:"Name prefix of the companion policies."`
	DryRun    bool   `help:"Show the changes; write nothing."`
}

// Run keeps an ICMP companion policy beside every policy that allows only
// some protocols.
func (c allowPingCmd) Run(ctx context.Context, e *env) error {
	_, client, err := tool(adminFirst, "")
	if err != nil {
		return err
	}
	_, err = allowping.Run(ctx, client, allowping.Options{Prefix: c.Prefix, DryRun: c.DryRun, RemoveAll: c.RemoveAll}, e.stdout)
	return adminHint(err)
}
