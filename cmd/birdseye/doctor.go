package main

import (
	"context"
	"time"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/doctor"
)

type doctorCmd struct {
	SendTest bool `help:"Also send a test mail and post a test message to the webhook."`
}

// Run checks everything birdseye depends on, one line per check; the exit
// code is the worst result: 0 ok, 1 warnings, 2 a check failed.
func (c doctorCmd) Run(ctx context.Context, e *env) error {
	if err := config.LoadDotEnv(".env"); err != nil {
		return err
	}
	// Bad settings are reported one a line, and everything that does not
	// hang on them is still checked: one run shows all there is to fix.
	cfg, cfgErr := config.LoadPartial()
	p, err := doctor.ProbesFor(cfg, cfgErr, c.SendTest)
	if err != nil {
		return err
	}
	switch doctor.Run(ctx, cfg, p, time.Now(), e.stdout) {
	case doctor.Warn:
		return errExit{1}
	case doctor.Fail:
		return errExit{2}
	}
	return nil
}
