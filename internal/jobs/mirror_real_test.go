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

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/netbird/realtest"
	"github.com/styliteag/birdseye/internal/schedule"
)

// A scheduled apply between two real servers while the source has a
// service user the target lacks: the check stays OK and says what waits
// (it went CRIT on every run); with MIRROR_CREATE_USERS the user is made.
func TestTheScheduledMirrorWaitsForUsersItMayNotCreate(t *testing.T) {
	src, dst := realtest.Start(t), realtest.Start(t)
	_, reader := src.ServiceUser(t, "mirror-reader", "auditor")
	_, writer := dst.ServiceUser(t, "mirror-writer", "admin")
	src.ServiceUser(t, "ci-bot", "user")
	spool := t.TempDir()
	cfg := &config.Config{
		NetBird:  config.NetBird{URL: src.URL, APIKey: config.Secret(reader)},
		Schedule: config.Schedule{Mirror: "0 * * * *"},
		Mirror:   config.Mirror{URL: dst.URL, APIKey: config.Secret(writer), Apply: true, Prune: true, Protected: "All", Sections: config.List{"users"}},
		Monitor:  config.Monitor{CheckmkDir: spool, PingStyle: "healthchecks"},
		Log:      config.Log{TZ: config.Location{Name: "UTC", Loc: time.UTC}},
	}
	run := func() string {
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		s := schedule.New(time.UTC, log)
		require.NoError(t, addJob(s, cfg, log, "CRON_MIRROR_ACCOUNT"))
		require.NoError(t, s.RunOnce(t.Context(), s.Jobs()[0]), logs.String())
		b, err := os.ReadFile(filepath.Join(spool, "7200_netbird_account_mirror.txt"))
		require.NoError(t, err)
		return string(b)
	}
	require.Regexp(t, `^0 NetBird_Account_Mirror - .* ok in \d+s; 0 created, 0 updated, 0 deleted, 2 waiting for peers or users\n$`, run(),
		"the source's service users (ci-bot and mirror-reader) wait")

	cfg.Mirror.CreateUsers = true
	require.Regexp(t, `^0 NetBird_Account_Mirror - .* ok in \d+s; 2 created, 0 updated, 0 deleted, 0 waiting`, run())
	code, body, err := dst.Do("GET", "/api/users?service_user=true", dst.OwnerToken, nil)
	require.NoError(t, err)
	require.Equal(t, 200, code)
	var users []struct{ Name string }
	require.NoError(t, json.Unmarshal(body, &users))
	var names []string
	for _, u := range users {
		names = append(names, u.Name)
	}
	require.Contains(t, names, "ci-bot")
}
