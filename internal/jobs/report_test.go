package jobs

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/changes"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink/email/smtptest"
)

func TestChangeReportIsScheduledOnlyWithMailAndDiffsAndMailsTheReport(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	dir := t.TempDir()
	cfg := &config.Config{Forwarder: config.Forwarder{StateFile: filepath.Join(dir, "state.json")},
		Schedule: config.Schedule{ChangeReport: "0 8 * * 1"}, Log: config.Log{TZ: config.Location{Name: "UTC", Loc: time.UTC}}}

	s, err := Scheduler(cfg, log, nil)
	require.NoError(t, err)
	require.Empty(t, s.Jobs())
	require.Contains(t, logs.String(), "change-report is off: CHANGE_REPORT is set but these are missing: CHANGE_DIFFS=on (CHANGE_DIFFS=off records no changes); SMTP_HOST, SMTP_FROM and SMTP_TO (the report is mailed)")

	cfg.Watch.ChangeDiffs = true
	logs.Reset()
	s, err = Scheduler(cfg, log, nil)
	require.NoError(t, err)
	require.Empty(t, s.Jobs())
	require.Contains(t, logs.String(), "these are missing: SMTP_HOST, SMTP_FROM and SMTP_TO (the report is mailed)")

	srv := smtptest.Start(t, "none", "", "")
	cfg.SMTP = config.SMTP{Host: srv.Host, Port: srv.Port, TLSMode: "none", From: "birdseye@example.com", To: []string{"audit@example.com"}}
	cfg.Schedule.CleanupEphemeral = "" // only the report
	s, err = Scheduler(cfg, log, nil)
	require.NoError(t, err)
	require.Len(t, s.Jobs(), 1)
	require.NoError(t, writeRecord(dir, changes.Record{At: time.Now().Add(-time.Hour), EventID: 7, Code: "policy.update", Initiator: "alice", Kind: "policy", Name: "Admins",
		Changes: []event.Change{{Path: "enabled", Before: "true", After: "false"}}}))
	require.NoError(t, s.RunOnce(t.Context(), s.Jobs()[0]))
	msgs := srv.Messages()
	require.Len(t, msgs, 1)
	require.Contains(t, msgs[0].Subject, "[NetBird] 1 configuration change (")
	require.Contains(t, msgs[0].Body, "policy.update  by alice  policy 'Admins'\n    enabled: true → false")
}

// writeRecord writes the change log as the daemon does, one JSON line a record.
func writeRecord(dir string, r changes.Record) error {
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "changes.jsonl"), append(line, '\n'), 0o600)
}
