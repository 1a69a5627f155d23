package jobs

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/clone/clonetest"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/schedule"
	"github.com/styliteag/birdseye/internal/sink/email/smtptest"
	"github.com/styliteag/birdseye/internal/state"
)

// The scheduled refresh against a real sshd, the real Docker engine and a
// real SMTP server: success writes the old tool's Checkmk file naming the
// drill that passed and mails nothing; a failure turns it CRIT with the
// step and mails CLONE_EMAIL_TO; without NB_API_KEY the drill is named as
// skipped, not passed.
func TestTheScheduledCloneReportsToCheckmkAndMailsAFailure(t *testing.T) {
	w := clonetest.New(t, 2)
	sshd := clonetest.SSHD(t)
	smtp := smtptest.Start(t, "none", "", "")
	root := filepath.Join(t.TempDir(), "standby", "cold")
	project := "bejobclone" + strconv.Itoa(w.Port)
	w.Stack(t, root, project, "data/netbird")
	t.Setenv("CLONE_TARGETS", "cold")
	t.Setenv("CLONE_COLD_ROOT", root)
	t.Setenv("CLONE_COLD_PROJECT", project)
	spool := t.TempDir()
	var mu sync.Mutex
	var pings []string
	hc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		pings = append(pings, r.Method+" "+r.URL.Path)
		mu.Unlock()
	}))
	defer hc.Close()
	cfg := &config.Config{
		NetBird:   config.NetBird{URL: w.URL, APIKey: clonetest.Token},
		Forwarder: config.Forwarder{StateFile: filepath.Join(t.TempDir(), "state.json")},
		Schedule:  config.Schedule{Clone: "0 4 * * *"},
		Clone: config.Clone{Host: "root@127.0.0.1", Port: config.Count(sshd.Port), Key: sshd.ClientKey, Strict: "accept-new",
			Targets: "cold", DBPaths: config.List{w.StoreDB}, DBSubdir: "data/netbird", StageDir: filepath.Join(t.TempDir(), "stage"),
			StandbyIP: clonetest.StandbyIP, CAFile: w.CA, MinRows: "accounts:1,peers:1", Keep: 3,
			IngressProject: "traefik", IngressCompose: "docker-compose.yml", DockerSocket: "/nonexistent.sock", EmailTo: config.List{"standby@example.com"}},
		Backup:  config.Backup{EmailTo: config.List{"backup@example.com"}, Label: "prod"},
		SMTP:    config.SMTP{Host: smtp.Host, Port: smtp.Port, TLSMode: "none", From: "birdseye@example.com", To: []string{"ops@example.com"}},
		Monitor: config.Monitor{CheckmkDir: spool, PingStyle: "healthchecks", PingClone: config.Secret(hc.URL + "/clone-uuid")},
		Log:     config.Log{TZ: config.Location{Name: "UTC", Loc: time.UTC}},
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	job := func() schedule.Job {
		s := schedule.New(time.UTC, log)
		require.NoError(t, addJob(s, cfg, log, "CRON_CLONE_STANDBY"))
		require.Len(t, s.Jobs(), 1)
		require.Equal(t, "clone-standby", s.Jobs()[0].Name)
		return s.Jobs()[0]
	}
	run := func() error { return schedule.New(time.UTC, log).RunOnce(t.Context(), job()) }
	check := filepath.Join(spool, "32400_netbird_standby_clone.txt")

	require.NoError(t, run(), logs.String())
	b, err := os.ReadFile(check)
	require.NoError(t, err)
	require.Regexp(t, `^0 NetBird_Standby_Clone - \d{4}-\d\d-\d\d \d\d:\d\d ok in \d+s; clone refreshed and drill of cold passed at \d{4}-\d\d-\d\d \d\d:\d\d \(\d+s\)\n$`, string(b))
	require.Empty(t, smtp.Messages())
	require.Empty(t, clonetest.Running(t, project), "the cold target is stopped after the drill")

	cfg.Clone.MinRows = "accounts:1,peers:50"
	require.Error(t, run())
	b, _ = os.ReadFile(check)
	require.Regexp(t, `^2 NetBird_Standby_Clone - clone FAILED: refresh stopped at stage \(\d{4}-\d\d-\d\d \d\d:\d\d\): snapshot fails CLONE_MIN_ROWS`, string(b))
	msgs := smtp.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, []string{"standby@example.com"}, msgs[0].To)
	require.Regexp(t, `^\[NetBird standby clone prod\] 127\.0\.0\.1 \d{4}-\d\d-\d\d — FAILED$`, msgs[0].Subject)
	require.Contains(t, msgs[0].Body, "The standby clone refresh failed.\n\nFailed at step 'stage'.\n\nsnapshot fails CLONE_MIN_ROWS")
	require.Contains(t, msgs[0].Body, "See where it stands with:  birdseye clone status\n")
	require.Contains(t, logs.String(), "failure mailed to standby@example.com")

	cfg.Clone.MinRows = "accounts:1"
	cfg.NetBird.APIKey = ""
	require.NoError(t, run())
	b, _ = os.ReadFile(check)
	require.Regexp(t, `^1 NetBird_Standby_Clone - .* clone refreshed at \d{4}-\d\d-\d\d \d\d:\d\d; drill skipped: NB_API_KEY is not set`, string(b), "WARN: refreshed, not proven")
	require.NotContains(t, string(b), "passed")

	// Someone is at work on the standby by hand: the refresh skips, WARN.
	held, _, err := state.TryLock(filepath.Join(filepath.Dir(cfg.Forwarder.StateFile), "clone.lock"))
	require.NoError(t, err)
	require.NoError(t, run())
	held.Release()
	b, _ = os.ReadFile(check)
	require.Regexp(t, `^1 NetBird_Standby_Clone - .*refresh skipped: another clone action is running \(pid \d+`, string(b))
	require.Len(t, smtp.Messages(), 1, "no mail for a skipped refresh")
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []string{"GET /clone-uuid/start", "POST /clone-uuid", "GET /clone-uuid/start", "POST /clone-uuid/fail",
		"GET /clone-uuid/start", "POST /clone-uuid", "GET /clone-uuid/start", "POST /clone-uuid"}, pings, "PING_URL_CLONE_STANDBY: success, fail, and success for a refresh without a drill")
}
