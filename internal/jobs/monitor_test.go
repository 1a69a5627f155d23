package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/sink/email/smtptest"
)

func TestEveryJobWritesItsCheckmkFileAndPings(t *testing.T) {
	spool := t.TempDir()
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path)
		mu.Unlock()
	}))
	defer srv.Close()
	cfg := &config.Config{Log: config.Log{TZ: config.Location{Name: "UTC", Loc: time.UTC}},
		Monitor: config.Monitor{CheckmkDir: spool, MaintenanceMaxAge: 7200, PingStyle: "healthchecks", PingCleanup: config.Secret(srv.URL + "/uuid-1")}}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	ok := monitored(cfg, log, spec(t, "CRON_CLEANUP_EPHEMERAL"), "*/15 * * * *", func(_ context.Context, out *lineLog) error {
		fmt.Fprintln(out, "checked 3 ephemeral peers")
		fmt.Fprintln(out, "Done. deleted=1")
		return nil
	})
	require.NoError(t, ok.Run(t.Context()))
	b, err := os.ReadFile(filepath.Join(spool, "3600_netbird_cleanup_ephemeral.txt"))
	require.NoError(t, err, "stale after two intervals, at least an hour")
	require.Regexp(t, `^0 NetBird_Cleanup_Ephemeral - \d{4}-\d\d-\d\d \d\d:\d\d ok in 0s; Done. deleted=1\n$`, string(b))

	bad := monitored(cfg, log, spec(t, "CRON_CLEANUP_EPHEMERAL"), "*/15 * * * *", func(context.Context, *lineLog) error {
		return errors.New("list peers: HTTP 403: permission denied")
	})
	require.Error(t, bad.Run(t.Context()))
	b, _ = os.ReadFile(filepath.Join(spool, "3600_netbird_cleanup_ephemeral.txt"))
	require.Equal(t, "2 NetBird_Cleanup_Ephemeral - cleanup FAILED: list peers: HTTP 403: permission denied\n", string(b))
	require.Equal(t, []string{"GET /uuid-1/start", "POST /uuid-1", "GET /uuid-1/start", "POST /uuid-1/fail"}, got)

	maint := monitored(cfg, log, spec(t, "CRON_NETBIRD_MAINTENANCE"), "0 4 * * *", func(context.Context, *lineLog) error { return nil })
	require.NoError(t, maint.Run(t.Context()))
	_, err = os.Stat(filepath.Join(spool, "7200_netbird_account_maintenance.txt"))
	require.NoError(t, err, "the Python tool's file name and MAINTENANCE_SPOOL_MAX_AGE")
	weekly := staleAfter("0 3 * * 0")
	require.Equal(t, 14*24*time.Hour, weekly)
}

func TestAMissingSpoolDirectoryIsSaidOnceAndNothingBreaks(t *testing.T) {
	var logs strings.Builder
	cfg := &config.Config{Log: config.Log{TZ: config.Location{Name: "UTC", Loc: time.UTC}},
		Monitor: config.Monitor{CheckmkDir: filepath.Join(t.TempDir(), "not-mounted"), MaintenanceMaxAge: 7200, PingStyle: "healthchecks"}}
	log := slog.New(slog.NewTextHandler(&logs, nil))
	spoolWarning(cfg, log)
	for _, v := range []string{"CRON_PRUNE_PEERS", "CRON_CLEANUP_EPHEMERAL"} {
		j := monitored(cfg, log, spec(t, v), "@daily", func(context.Context, *lineLog) error { return nil })
		require.NoError(t, j.Run(t.Context()))
	}
	require.Equal(t, 1, strings.Count(logs.String(), "CHECKMK_SPOOL_DIR: "), logs.String())
	require.Contains(t, logs.String(), "is not a directory: no Checkmk files are written")
}

// One failure-mail rule for every job that mails: its own list, else
// BACKUP_EMAIL_TO, else SMTP_TO; and a run cut short (its context
// cancelled by a stop or a timeout) is still mailed.
func TestAFailedMaintenanceIsMailedByTheOneRuleEvenWhenCancelled(t *testing.T) {
	smtp := smtptest.Start(t, "none", "", "")
	cfg := &config.Config{
		Backup:  config.Backup{EmailTo: config.List{"backup@example.com"}},
		SMTP:    config.SMTP{Host: smtp.Host, Port: smtp.Port, TLSMode: "none", From: "birdseye@example.com", To: []string{"ops@example.com"}},
		Monitor: config.Monitor{PingStyle: "healthchecks", MaintenanceMaxAge: 7200},
		Log:     config.Log{TZ: config.Location{Name: "UTC", Loc: time.UTC}},
	}
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithCancel(t.Context())
	job := monitored(cfg, log, spec(t, "CRON_NETBIRD_MAINTENANCE"), "0 4 * * *", func(_ context.Context, out *lineLog) error {
		fmt.Fprintln(out, "posture add: policy 'Admins' -> Recent client")
		cancel() // stopped midway
		return errors.New("posture add Recent client: context canceled")
	})
	require.Error(t, job.Run(ctx))
	cfg.Maintenance.EmailTo = config.List{"noc@example.com"}
	require.Error(t, job.Run(t.Context()))
	msgs := smtp.Messages()
	require.Len(t, msgs, 2, logs.String())
	require.Equal(t, []string{"backup@example.com"}, msgs[0].To, "no MAINTENANCE_EMAIL_TO: BACKUP_EMAIL_TO before SMTP_TO")
	require.Contains(t, msgs[0].Subject, "[NetBird] netbird-maintenance failed (")
	require.Contains(t, msgs[0].Body, "posture add: policy 'Admins' -> Recent client", "what it reported")
	require.Equal(t, []string{"noc@example.com"}, msgs[1].To)
}
