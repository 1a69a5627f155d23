package main

import (
	"context"
	"errors"

	"github.com/styliteag/birdseye/internal/posture"
)

type postureCmd struct {
	Add    postureChangeCmd `cmd:"" help:"Attach a posture check to one policy (--policy) or all (--all); POSTURE_IGNORE in a description opts out."`
	Remove postureChangeCmd `cmd:"" help:"Detach a posture check from one policy (--policy) or all (--all)."`
}

type postureChangeCmd struct {
	Check  string `arg:"" help:"The posture check, by exact name."`
	Policy string `placeholder:"NAME" help:"The policy, by exact name (or --all)." xor:"target"`
	All    bool   `help:"Every policy (or --policy)." xor:"target"`
	DryRun bool   `help:"Show the changes; write nothing."`
}

func (c postureChangeCmd) Run(ctx context.Context, e *env, k *kongContext) error {
	if c.Policy == "" && !c.All {
		return &flagError{Flag: "posture " + k.command(), Msg: "needs --policy NAME or --all"}
	}
	_, client, err := tool(adminFirst, "")
	if err != nil {
		return err
	}
	_, err = posture.Run(ctx, client, posture.Options{Check: c.Check, Policy: c.Policy, Remove: k.command() == "remove", DryRun: c.DryRun}, e.stdout)
	var pe *posture.Error
	if errors.As(err, &pe) {
		return &flagError{Flag: "posture", Msg: "refused: " + pe.Msg}
	}
	return adminHint(err)
}
