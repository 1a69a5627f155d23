package jobs

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/apiclient"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/destinations"
	"github.com/styliteag/birdseye/internal/lint"
	"github.com/styliteag/birdseye/internal/sink/email"
)

// lintNeeds names what LINT_REPORT lacks: the report is mailed.
func lintNeeds(c *config.Config) []string {
	if mc := destinations.MailConfig(c); mc.Host == "" || mc.From == "" || len(mc.To) == 0 {
		return []string{"SMTP_HOST, SMTP_FROM and SMTP_TO (the report is mailed)"}
	}
	return nil
}

// buildLintReport is LINT_REPORT's work: birdseye lint with NB_API_KEY,
// mailed to SMTP_TO with what is new and resolved since the last report
// (lint-report.json beside the state file).
func buildLintReport(cfg *config.Config, _ Deps) (Work, error) {
	mc := destinations.MailConfig(cfg)
	kept := filepath.Join(filepath.Dir(cfg.Forwarder.StateFile), "lint-report.json")
	for _, id := range cfg.Lint.Skip {
		if !lint.Known(id) {
			return nil, &config.Error{Var: "LINT_SKIP", Msg: "names " + id + ", which is no check; `birdseye lint --list` lists them"}
		}
	}
	return func(ctx context.Context, out io.Writer) error {
		client, err := apiclient.New(cfg.NetBird, cfg.NetBird.APIKey.Reveal())
		if err != nil {
			return err
		}
		a, gaps, err := lint.Read(ctx, client)
		if err != nil {
			return err
		}
		now := time.Now()
		r := lint.Report{Findings: lint.Run(a, lint.Options{Now: now, StaleDays: int(cfg.Lint.StaleDays), DisabledDays: 90, Skip: cfg.Lint.Skip}),
			Gaps: gaps, Checks: len(lint.Checks) - len(cfg.Lint.Skip)}
		prev, err := lint.LoadKept(kept)
		if err != nil {
			fmt.Fprintf(out, "the previous report is unreadable (%v): this one says every finding as new\n", err)
		}
		var body strings.Builder
		if err := lint.WriteChanges(&body, r, prev, cfg.Log.TZ.Loc); err != nil {
			return err
		}
		if err := email.New(mc, cfg.Log.TZ.Loc).Send(ctx, lint.Subject(r, prev), body.String()); err != nil {
			return fmt.Errorf("mail the lint report: %w", err)
		}
		if err := (lint.Kept{At: now, Findings: r.Findings}).Save(kept); err != nil {
			return fmt.Errorf("lint report sent, but not remembered (the next one says every finding as new): %w", err)
		}
		added, resolved := lint.Diff(prev.Findings, r.Findings)
		fmt.Fprintf(out, "lint report mailed to %s: %s; %d new, %d resolved\n", strings.Join(mc.To, ", "), r.Count(), len(added), len(resolved))
		return nil
	}, nil
}
