package jobs

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/changes"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/destinations"
	"github.com/styliteag/birdseye/internal/sink/email"
)

// reportNeeds names what CHANGE_REPORT lacks: recorded changes and mail.
func reportNeeds(c *config.Config) []string {
	var missing []string
	if !c.Watch.ChangeDiffs {
		missing = append(missing, "CHANGE_DIFFS=on (CHANGE_DIFFS=off records no changes)")
	}
	if mc := destinations.MailConfig(c); mc.Host == "" || mc.From == "" || len(mc.To) == 0 {
		missing = append(missing, "SMTP_HOST, SMTP_FROM and SMTP_TO (the report is mailed)")
	}
	return missing
}

// buildChangeReport is CHANGE_REPORT's work: the configuration changes
// since the previous report, mailed to SMTP_TO.
func buildChangeReport(cfg *config.Config, _ Deps) (Work, error) {
	mc := destinations.MailConfig(cfg)
	dir := filepath.Dir(cfg.Forwarder.StateFile)
	return func(ctx context.Context, out io.Writer) error {
		n, err := changes.MailReport(ctx, dir, email.New(mc, cfg.Log.TZ.Loc), cfg.Log.TZ.Loc, time.Now())
		if err == nil {
			fmt.Fprintf(out, "change report mailed: %d changes to %s\n", n, strings.Join(mc.To, ", "))
		}
		return err
	}, nil
}
