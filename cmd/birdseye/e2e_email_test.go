package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/sink/email/smtptest"
)

func mailEnv(srv *smtptest.Server, mode string, extra ...string) []string {
	return append([]string{
		"EMAIL_MODE=" + mode,
		"SMTP_HOST=" + srv.Host,
		fmt.Sprintf("SMTP_PORT=%d", srv.Port),
		"SMTP_TLS_MODE=" + srv.Mode,
		"SMTP_USER=" + srv.User,
		"SMTP_PASSWORD=" + srv.Pass,
		"SMTP_FROM=birdseye@example.com",
		"SMTP_TO=ops@example.com,admin@example.com",
		"SSL_CERT_FILE=" + srv.CAFile, // the test CA, as an operator's private CA would be
	}, extra...)
}

func subjects(srv *smtptest.Server) []string {
	var out []string
	for _, m := range srv.Messages() {
		out = append(out, m.Subject)
	}
	return out
}

func TestE2EStdoutMattermostAndEmailTogether(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	mm, hookURL := newMattermost(t)
	smtp := smtptest.Start(t, "starttls", "mailer", "pw-e2e-9876")
	sf := filepath.Join(t.TempDir(), "state.json")
	env := append(baseEnv(t, api, sf, "MATTERMOST_WEBHOOK_URL="+hookURL), mailEnv(smtp, "immediate", "EMAIL_STARTUP_TEST=true")...)
	d := start(t, env)
	d.waitLog("first boot")
	d.waitLog("email startup test sent")
	require.True(t, strings.HasPrefix(smtp.Messages()[0].Subject, "[NetBird] birdseye startup ("), smtp.Messages()[0].Subject)
	require.Contains(t, smtp.Messages()[0].Body, "  transport:      starttls 127.0.0.1:")

	f.AddN(1, "policy.update", "p")
	f.AddN(1, "group.delete", "g") // not in EMAIL_INCLUDE's default
	f.AddN(1, "user.block", "u")
	d.waitFor("stdout", func() bool { return len(d.stdout()) == 3 })
	d.waitFor("two mails", func() bool { return len(smtp.Messages()) == 3 })
	waitPosts(t, d, mm, 1)
	require.Equal(t, []string{"[NetBird] policy.update — system", "[NetBird] user.block — system"}, subjects(smtp)[1:])
	require.Equal(t, []string{"ops@example.com", "admin@example.com"}, smtp.Messages()[1].To)
	require.Equal(t, 3, strings.Count(mm.Posts()[0].Text, "\n")+1, "Mattermost takes all three")
	require.NotContains(t, d.logs(), "pw-e2e-9876")
}

func TestE2ESMTPDownAcrossARestartSendsTheQueuedMailsAfter(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	smtp := smtptest.Start(t, "tls", "", "")
	sf := filepath.Join(t.TempDir(), "state.json")
	env := append(baseEnv(t, api, sf), mailEnv(smtp, "immediate")...)
	d := start(t, env)
	d.waitLog("first boot")
	smtp.Refuse()
	f.AddN(3, "policy.update", "queued")
	d.waitFor("stdout", func() bool { return len(d.stdout()) == 3 })
	d.waitLog("delivery failed; the events stay queued")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
	require.Empty(t, smtp.Messages())

	smtp.Accept()
	d = start(t, env)
	d.waitFor("the queued mails", func() bool { return len(smtp.Messages()) == 3 })
	for i, m := range smtp.Messages() {
		require.Contains(t, m.Body, fmt.Sprintf("name='queued-%d'", i+1))
	}
	require.Empty(t, d.stdout(), "nothing printed twice")
}

func TestE2EADigestCollectsAndGoesOutOnSigterm(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	smtp := smtptest.Start(t, "none", "", "")
	sf := filepath.Join(t.TempDir(), "state.json")
	env := append(baseEnv(t, api, sf), mailEnv(smtp, "digest", "EMAIL_DIGEST_MINUTES=0.01")...) // 0.6 s
	d := start(t, env)
	d.waitLog("first boot")
	f.AddN(2, "policy.update", "first")
	d.waitFor("a digest", func() bool { return len(smtp.Messages()) == 1 })
	require.Regexp(t, `^\[NetBird\] 2 events \(.* UTC digest\)$`, smtp.Messages()[0].Subject)
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())

	// A digest that is not due yet survives a restart and goes out later.
	env = append(baseEnv(t, api, sf), mailEnv(smtp, "digest", "EMAIL_DIGEST_MINUTES=60")...)
	d = start(t, env)
	f.AddN(1, "user.block", "waiting")
	d.waitFor("stdout", func() bool { return len(d.stdout()) == 1 })
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
	require.Len(t, smtp.Messages(), 1, "not due: kept in the outbox")
	env = append(baseEnv(t, api, sf), mailEnv(smtp, "digest", "EMAIL_DIGEST_MINUTES=0.01")...)
	d = start(t, env)
	d.waitFor("the kept digest", func() bool { return len(smtp.Messages()) == 2 })
	require.Contains(t, smtp.Messages()[1].Body, "name='waiting-1'")
}

func TestE2EOutageAlertsAreMailedToo(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	smtp := smtptest.Start(t, "starttls", "", "")
	sf := filepath.Join(t.TempDir(), "state.json")
	env := append(baseEnv(t, api, sf, "OUTAGE_ALERT_MINUTES=0.003"), mailEnv(smtp, "digest", "EMAIL_DIGEST_MINUTES=60")...)
	d := start(t, env)
	d.waitLog("first boot")
	f.Fail(fake.ServerError(1 << 30))
	d.waitFor("the alert mail", func() bool { return len(smtp.Messages()) == 1 })
	require.Contains(t, smtp.Messages()[0].Subject, "[NetBird] birdseye alert: NetBird API unreachable for 0 min")
	f.ClearFailures()
	d.waitFor("the recovery mail", func() bool { return len(smtp.Messages()) == 2 })
	require.Equal(t, "[NetBird] birdseye alert: NetBird API recovered after 0 min outage", smtp.Messages()[1].Subject)
}

func TestE2EAWrongSMTPPasswordIsClearAndKeepsTheMails(t *testing.T) {
	f, api := newAPI(t)
	smtp := smtptest.Start(t, "starttls", "mailer", "right")
	sf := filepath.Join(t.TempDir(), "state.json")
	env := append(baseEnv(t, api, sf), mailEnv(smtp, "immediate", "SMTP_PASSWORD=wrong-secret-42")...)
	d := start(t, env)
	d.waitLog("first boot")
	f.AddN(1, "policy.update", "p")
	d.waitLog("SMTP AUTH failed")
	require.Contains(t, d.logs(), "config_problem=true")
	require.NotContains(t, d.logs(), "wrong-secret-42")
	require.Empty(t, smtp.Messages())
}
