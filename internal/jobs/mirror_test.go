package jobs

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/schedule"
	"github.com/styliteag/birdseye/internal/sink/email/smtptest"
)

func TestTheScheduledMirrorIsADryRunUnlessAppliedAndReportsAFailure(t *testing.T) {
	srcF, dstF := fake.New(), fake.New()
	src, dst := httptest.NewServer(srcF), httptest.NewServer(dstF)
	t.Cleanup(src.Close)
	t.Cleanup(dst.Close)
	dstF.SetPostureChecks("[]")
	smtp := smtptest.Start(t, "none", "", "")
	spool := t.TempDir()
	cfg := &config.Config{
		NetBird:  config.NetBird{URL: src.URL, APIKey: fake.AuditorToken},
		Schedule: config.Schedule{Mirror: "0 * * * *"},
		Mirror: config.Mirror{URL: dst.URL, APIKey: fake.AdminToken, Prune: true, Protected: "All",
			SnapshotDir: filepath.Join(t.TempDir(), "mirror")},
		SMTP:    config.SMTP{Host: smtp.Host, Port: smtp.Port, TLSMode: "none", From: "birdseye@example.com", To: []string{"ops@example.com"}},
		Monitor: config.Monitor{CheckmkDir: spool, PingStyle: "healthchecks"},
		Log:     config.Log{TZ: config.Location{Name: "UTC", Loc: time.UTC}},
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	s := schedule.New(time.UTC, log)
	require.NoError(t, addJob(s, cfg, log, "CRON_MIRROR_ACCOUNT"))
	job := s.Jobs()[0]
	require.Equal(t, "mirror-account", job.Name)

	require.NoError(t, s.RunOnce(t.Context(), job))
	require.Empty(t, dstF.Writes(), "MIRROR_APPLY unset: a dry run")
	require.Contains(t, logs.String(), "posture-checks Recent client")
	b, err := os.ReadFile(filepath.Join(spool, "7200_netbird_account_mirror.txt"))
	require.NoError(t, err)
	require.Regexp(t, `^0 NetBird_Account_Mirror - .* ok in \ds; 1 created, 0 updated, 0 deleted, \d+ waiting for peers or users\n$`, string(b))

	cfg.Mirror.Apply = true
	s = schedule.New(time.UTC, log)
	require.NoError(t, addJob(s, cfg, log, "CRON_MIRROR_ACCOUNT"))
	require.NoError(t, s.RunOnce(t.Context(), s.Jobs()[0]))
	require.NotEmpty(t, dstF.Writes())
	require.Empty(t, srcF.Writes())

	dstF.Fail(fake.ServerError(5))
	require.Error(t, s.RunOnce(t.Context(), s.Jobs()[0]))
	b, _ = os.ReadFile(filepath.Join(spool, "7200_netbird_account_mirror.txt"))
	require.Contains(t, string(b), "2 NetBird_Account_Mirror - mirror FAILED: could not read both sides: ")
	msgs := smtp.Messages()
	require.Len(t, msgs, 1)
	require.Contains(t, msgs[0].Subject, "mirror-account failed")
}

func TestAMirrorThatCannotWorkStopsTheStartNamingTheVariable(t *testing.T) {
	base := func() *config.Config {
		return &config.Config{NetBird: config.NetBird{URL: "http://127.0.0.1:8080", APIKey: fake.AuditorToken},
			Schedule: config.Schedule{Mirror: "@hourly"}, Mirror: config.Mirror{URL: "http://localhost:8080", APIKey: fake.AdminToken},
			Log: config.Log{TZ: config.Location{Name: "UTC", Loc: time.UTC}}}
	}
	log := slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
	err := addJob(schedule.New(time.UTC, log), base(), log, "CRON_MIRROR_ACCOUNT")
	require.ErrorContains(t, err, "MIRROR_URL is the source: REFUSING: source and target are the same host")
	cfg := base()
	cfg.Mirror.URL, cfg.Mirror.Sections = "https://standby.example.com", config.List{"groups", "polices"}
	err = addJob(schedule.New(time.UTC, log), cfg, log, "CRON_MIRROR_ACCOUNT")
	var ce *config.Error
	require.ErrorAs(t, err, &ce)
	require.Equal(t, "MIRROR_SECTIONS", ce.Var)
	require.ErrorContains(t, err, "unknown section(s): polices")
}

// A read that fails for a passing reason (a proxy's 502 in front of the
// target) is tried again: the run goes through instead of failing.
func TestAMirrorReadThatFailsOnceIsTriedAgain(t *testing.T) {
	srcF, dstF := fake.New(), fake.New()
	src, dst := httptest.NewServer(srcF), httptest.NewServer(dstF)
	t.Cleanup(src.Close)
	t.Cleanup(dst.Close)
	cfg := &config.Config{
		NetBird:  config.NetBird{URL: src.URL, APIKey: fake.AuditorToken},
		Schedule: config.Schedule{Mirror: "0 * * * *"},
		Mirror:   config.Mirror{URL: dst.URL, APIKey: fake.AdminToken, SnapshotDir: filepath.Join(t.TempDir(), "mirror")},
		Log:      config.Log{TZ: config.Location{Name: "UTC", Loc: time.UTC}},
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	s := schedule.New(time.UTC, log)
	require.NoError(t, addJob(s, cfg, log, "CRON_MIRROR_ACCOUNT"))
	dstF.Fail(fake.BadGateway(1))
	require.NoError(t, s.RunOnce(t.Context(), s.Jobs()[0]), logs.String())
	require.Contains(t, logs.String(), "created")
}
