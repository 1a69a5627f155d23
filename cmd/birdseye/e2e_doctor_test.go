package main

import (
	"io"
	"net"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/sink/email/smtptest"
)

func TestE2EDoctor(t *testing.T) {
	_, api := newAPI(t)
	mm, hookURL := newMattermost(t)
	smtp := smtptest.Start(t, "tls", "mailer", "doctor-pass-42")
	sf := filepath.Join(t.TempDir(), "state.json")
	env := append(baseEnv(t, api, sf, "NB_ADMIN_API_KEY="+fake.AdminToken, "MATTERMOST_WEBHOOK_URL="+hookURL, "POLL_INTERVAL=60"), mailEnv(smtp, "off")...)

	d := start(t, env, "doctor")
	require.Equal(t, 0, d.waitExit(), strings.Join(d.stdout(), "\n"))
	out := strings.Join(d.stdout(), "\n")
	require.Contains(t, out, "ok    SMTP                   tls 127.0.0.1:")
	require.Contains(t, out, "Mattermost             configured; not contacted")
	require.Empty(t, smtp.Messages())
	require.Empty(t, mm.Posts())

	d = start(t, env, "doctor", "--send-test")
	require.Equal(t, 0, d.waitExit(), strings.Join(d.stdout(), "\n"))
	require.Len(t, smtp.Messages(), 1)
	require.Len(t, mm.Posts(), 1)

	d = start(t, append(env, "SMTP_PASSWORD=wrong-doctor-pw"), "doctor")
	require.Equal(t, 2, d.waitExit())
	out = strings.Join(d.stdout(), "\n")
	require.Contains(t, out, "FAIL  SMTP")
	require.NotContains(t, out+d.logs(), "wrong-doctor-pw")
	require.NotContains(t, out+d.logs(), "doctor-pass-42")

	d = start(t, baseEnv(t, api, sf), "doctor")
	require.Equal(t, 1, d.waitExit(), "no admin token is a warning")
	require.Contains(t, strings.Join(d.stdout(), "\n"), "WARN  NB_ADMIN_API_KEY")

	d = start(t, baseEnv(t, api, sf, "POLL_INTERVAL=soon"), "doctor")
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, strings.Join(d.stdout(), "\n"), `FAIL  configuration          config: POLL_INTERVAL="soon"`)
	require.Contains(t, strings.Join(d.stdout(), "\n"), "ok    NB_API_KEY events", "the other checks still run")
}

func TestE2EDoctorChecksSyslogAndTheFileSinkWithoutSending(t *testing.T) {
	_, api := newAPI(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	accepted := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		b, _ := io.ReadAll(c)
		accepted <- b
	}()
	defer ln.Close()
	dir := t.TempDir()
	env := baseEnv(t, api, filepath.Join(dir, "state.json"), "SYSLOG_ADDR=tcp://"+ln.Addr().String(), "FILE_SINK_PATH="+filepath.Join(dir, "events.jsonl"),
		"SLACK_WEBHOOK_URL=https://hooks.slack.example/services/T0/B0/xyzxyzxyz", "CRON_CLEANUP_EPHEMERAL=")
	d := start(t, env, "doctor")
	d.waitExit()
	out := strings.Join(d.stdout(), "\n")
	require.Contains(t, out, "ok    syslog                 reachable (nothing sent; doctor --send-test sends a sample event)")
	require.Contains(t, out, "ok    file                   reachable (nothing sent")
	require.Contains(t, out, "ok    slack                  configured; not contacted (doctor --send-test sends a sample event)")
	require.Empty(t, <-accepted, "connected, nothing sent")
	require.NoFileExists(t, filepath.Join(dir, "events.jsonl"))
}

// A misspelt variable in .env (saved by a Windows editor, with a byte-order
// mark) is named at start and by doctor, with the closest known name; so
// is a clone target's variable of a target CLONE_TARGETS does not name; a
// clone job that lacks a variable is off, naming it.
func TestE2EMisspeltAndOldJobVariablesAreNamed(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	sf := filepath.Join(t.TempDir(), "state.json")
	env := baseEnv(t, api, sf, "MATERMOST_WEBHOOK_URL=https://chat.example.com/hooks/x", "CRON_CLONE_STANDBY=0 * * * *", "CLONE_SSH_HOST=standby",
		"CLONE_TARGETS=cold", "CLONE_COLD_ROOT=/opt/cold", "CLONE_WARM_ROOT=/opt/warm")
	d := start(t, env)
	d.waitLog("first boot")
	require.Contains(t, d.logs(), `msg="MATERMOST_WEBHOOK_URL is set but birdseye has no such variable; it is ignored (did you mean MATTERMOST_WEBHOOK_URL?)"`)
	require.Contains(t, d.logs(), `msg="CLONE_WARM_ROOT is set but CLONE_TARGETS names no such target; it is ignored"`)
	require.NotContains(t, d.logs(), "CLONE_COLD_ROOT is set")
	require.Contains(t, d.logs(), "CLONE_DB_PATHS")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())

	d = start(t, env, "doctor")
	d.waitExit()
	out := strings.Join(d.stdout(), "\n")
	require.Contains(t, out, "WARN  configuration          MATERMOST_WEBHOOK_URL is set but birdseye has no such variable")
	require.NotContains(t, out, "every variable is valid")
}

// A missing NB_URL is one failed line, not the end of the check: the mail,
// the state directory and the schedules are still checked and reported.
func TestE2EDoctorWithoutNBURLStillChecksTheRest(t *testing.T) {
	_, api := newAPI(t)
	smtp := smtptest.Start(t, "tls", "mailer", "doctor-pass-42")
	sf := filepath.Join(t.TempDir(), "state.json")
	var env []string
	for _, kv := range append(baseEnv(t, api, sf), mailEnv(smtp, "off")...) {
		if !strings.HasPrefix(kv, "NB_URL=") {
			env = append(env, kv)
		}
	}
	d := start(t, append(env, "POLL_INTERVAL=soon"), "doctor")
	require.Equal(t, 2, d.waitExit())
	out := strings.Join(d.stdout(), "\n")
	require.Contains(t, out, "FAIL  configuration          config: NB_URL")
	require.Contains(t, out, `FAIL  configuration          config: POLL_INTERVAL="soon"`)
	require.Contains(t, out, "FAIL  NetBird API            not checked: NB_URL is not usable")
	require.Contains(t, out, "ok    SMTP                   tls 127.0.0.1:")
	require.Contains(t, out, "state directory")
}
