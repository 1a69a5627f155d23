package jobs

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/netbird/realtest"
	"github.com/styliteag/birdseye/internal/schedule"
	"github.com/styliteag/birdseye/internal/sink/email/smtptest"
)

// LINT_REPORT against a real server: the first mail lists every finding,
// the next one what is new and what was resolved; the Checkmk line says
// the counts.
func TestTheLintReportMailsWhatChangedSinceTheLastOne(t *testing.T) {
	s := realtest.Start(t)
	_, auditor := s.ServiceUser(t, "linter", "auditor")
	smtp := smtptest.Start(t, "none", "", "")
	spool, dir := t.TempDir(), t.TempDir()
	cfg := &config.Config{
		NetBird:   config.NetBird{URL: s.URL, APIKey: config.Secret(auditor)},
		Forwarder: config.Forwarder{StateFile: filepath.Join(dir, "state.json")},
		Schedule:  config.Schedule{LintReport: "0 7 * * 1"},
		Lint:      config.Lint{StaleDays: 90},
		SMTP:      config.SMTP{Host: smtp.Host, Port: smtp.Port, TLSMode: "none", From: "birdseye@example.com", To: []string{"ops@example.com"}},
		Monitor:   config.Monitor{CheckmkDir: spool, PingStyle: "healthchecks"},
		Log:       config.Log{TZ: config.Location{Name: "UTC", Loc: time.UTC}},
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	run := func() {
		t.Helper()
		sch := schedule.New(time.UTC, log)
		require.NoError(t, addJob(sch, cfg, log, "LINT_REPORT"))
		require.Equal(t, "lint-report", sch.Jobs()[0].Name)
		require.NoError(t, sch.RunOnce(t.Context(), sch.Jobs()[0]), logs.String())
	}
	run()
	msgs := smtp.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, "[NetBird] lint: 1 critical", msgs[0].Subject, "a fresh server: its Default policy")
	require.Contains(t, msgs[0].Body, "The first lint report: 1 critical.")
	require.Contains(t, msgs[0].Body, "policy-all-to-all")

	s.MustDo(t, s.OwnerToken, "POST", "/api/setup-keys", map[string]any{"name": "ci", "type": "reusable", "expires_in": 86400, "auto_groups": []string{}, "usage_limit": 0}, nil)
	run()
	msgs = smtp.Messages()
	require.Len(t, msgs, 2)
	require.Equal(t, "[NetBird] lint: 1 critical, 1 medium (1 new, 0 resolved)", msgs[1].Subject)
	require.Contains(t, msgs[1].Body, "New:\n  medium   setupkey-reusable-unlimited: setup key ci (no usage limit (used 0 times))")
	checks, _ := filepath.Glob(filepath.Join(spool, "*_netbird_lint_report.txt"))
	require.Len(t, checks, 1)
	b, err := os.ReadFile(checks[0])
	require.NoError(t, err)
	require.Regexp(t, `^0 NetBird_Lint_Report - .* ok in \d+s; lint report mailed to ops@example.com: 1 critical, 1 medium; 1 new, 0 resolved\n$`, string(b))
}
