package doctor

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/jobs"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/netbird/nbtest"
	"github.com/styliteag/birdseye/internal/sink/email"
	"github.com/styliteag/birdseye/internal/sink/email/smtptest"
)

func baseConfig(t *testing.T, url string) *config.Config {
	t.Helper()
	loc, _ := time.LoadLocation("Europe/Berlin")
	return &config.Config{
		NetBird:   config.NetBird{URL: url},
		Forwarder: config.Forwarder{StateFile: filepath.Join(t.TempDir(), "state.json")},
		Schedule:  config.Schedule{CleanupEphemeral: "*/15 * * * *", Backup: "0 3 * * 0"},
		Log:       config.Log{TZ: config.Location{Name: "Europe/Berlin", Loc: loc}},
	}
}

func lines(b *bytes.Buffer) string { return b.String() }

func TestEverythingFine(t *testing.T) {
	f, api := nbtest.Start(t, fake.AuditorToken)
	f.AddN(3, "policy.update", "p")
	_, admin := nbtest.Start(t, fake.AdminToken)
	smtp := smtptest.Start(t, "starttls", "mailer", "pw")
	cfg := baseConfig(t, api.BaseURL())
	cfg.SMTP = config.SMTP{Host: smtp.Host, Port: smtp.Port, TLSMode: "starttls", User: "mailer", From: "b@example.com", To: []string{"ops@example.com"}}
	cfg.NetBird.AdminKey = fake.AdminToken
	cfg.Backup.Password = "a long backup passphrase"
	mail := email.New(email.Config{Transport: email.Transport{Host: smtp.Host, Port: smtp.Port, TLSMode: "starttls", User: "mailer", Password: "pw", RootCAs: smtp.CAPool},
		From: "b@example.com", To: []string{"ops@example.com"}}, time.UTC)
	var out bytes.Buffer
	worst := Run(t.Context(), cfg, Probes{API: api, Admin: admin, SMTPCheck: mail.Check}, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), &out)
	require.Equal(t, OK, worst, out.String())
	s := lines(&out)
	require.Contains(t, s, "ok    configuration          every variable is valid\n")
	require.Contains(t, s, "ok    NB_API_KEY events      reads the audit log (3 events, newest id 3)\n")
	require.Contains(t, s, "ok    NetBird version        management 0.77.1-local is the newest release known (release source off: from the server and the peers only)\n")
	require.Contains(t, s, "ok    NB_ADMIN_API_KEY       birdseye-admin, role admin\n", "a service user's token, as on v0.77.1 (403 on /api/users/current)")
	require.Contains(t, s, "ok    traffic events         not on this server (a NetBird Cloud feature); `traffic` commands say so\n", "the fake answers like self-hosted")
	require.Contains(t, s, "ok    proxy access log       available (0 requests logged)\n")
	require.Contains(t, s, "ok    SMTP                   starttls 127.0.0.1:")
	require.Contains(t, s, ": connected, logged in (nothing sent)\n")
	require.Contains(t, s, `ok    CRON_BACKUP_NETBIRD    "0 3 * * 0", next run 2026-11-29 03:00 CET`)
	require.Empty(t, smtp.Messages())
}

// doctor judges the schedules as the daemon does: a job that lacks what it
// needs is a warning, not "ok, next run …".
func TestDoctorAgreesWithTheDaemonAboutJobsThatCannotRun(t *testing.T) {
	_, api := nbtest.Start(t, fake.AuditorToken)
	cfg := baseConfig(t, api.BaseURL())
	t.Setenv("CRON_CLEANUP_EPHEMERAL", "*/15 * * * *")
	var out bytes.Buffer
	Run(t.Context(), cfg, Probes{API: api}, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), &out)
	require.Contains(t, out.String(), "WARN  CRON_CLEANUP_EPHEMERAL cleanup-ephemeral is off: CRON_CLEANUP_EPHEMERAL is set but these are missing: NB_ADMIN_API_KEY")
	require.Contains(t, out.String(), "WARN  CRON_BACKUP_NETBIRD    backup is off: CRON_BACKUP_NETBIRD is set but these are missing: BACKUP_ZIP_PASSWORD")
	require.Equal(t, jobs.JobsOff(cfg)[0].Text(), "cleanup-ephemeral is off: CRON_CLEANUP_EPHEMERAL is set but these are missing: NB_ADMIN_API_KEY (set CRON_CLEANUP_EPHEMERAL= empty to turn the job off)", "the daemon's words")
}

// Every job of the table is judged, the standby clone and the change
// report too (doctor's own list once left them out).
func TestDoctorJudgesEveryScheduledJobOfTheTable(t *testing.T) {
	_, api := nbtest.Start(t, fake.AuditorToken)
	cfg := baseConfig(t, api.BaseURL())
	cfg.Schedule = config.Schedule{Clone: "0 4 * * *", ChangeReport: "0 8 * * 1"}
	var out bytes.Buffer
	Run(t.Context(), cfg, Probes{API: api}, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), &out)
	require.Contains(t, out.String(), "CRON_CLONE_STANDBY")
	require.Contains(t, out.String(), "clone-standby is off: CRON_CLONE_STANDBY is set but these are missing: CLONE_SSH_HOST")
	require.Contains(t, out.String(), "change-report is off: CHANGE_REPORT is set but these are missing:")
}

// v0.77.1 answers 403 on /api/users/current to every service user: the
// token's role comes from the user list's is_current. The owner's token
// reads /users/current too; a server that marks no user gets a warning, not
// a failure.
func TestTheAdminTokensRoleIsFoundForServiceUsersAndTheOwner(t *testing.T) {
	for tok, want := range map[string]string{
		fake.OwnerToken:   "ok    NB_ADMIN_API_KEY       Admin, role owner\n",
		fake.AuditorToken: "WARN  NB_ADMIN_API_KEY       birdseye-bot has the role \"auditor\"",
	} {
		_, api := nbtest.Start(t, fake.AuditorToken)
		_, admin := nbtest.Start(t, tok)
		var out bytes.Buffer
		Run(t.Context(), baseConfig(t, api.BaseURL()), Probes{API: api, Admin: admin}, time.Now(), &out)
		require.Contains(t, out.String(), want)
	}
	_, api := nbtest.Start(t, fake.AuditorToken)
	f, admin := nbtest.Start(t, fake.AdminToken)
	f.SetUsers(`[{"id":"u1","name":"someone","role":"admin","is_service_user":true}]`) // no is_current
	var out bytes.Buffer
	worst := Run(t.Context(), baseConfig(t, api.BaseURL()), Probes{API: api, Admin: admin}, time.Now(), &out)
	require.Contains(t, out.String(), "WARN  NB_ADMIN_API_KEY       accepted; its role is not readable with a service-user token on this server")
	require.NotEqual(t, Fail, worst)
}

func TestTrafficEventsAreCountedWhereTheServerHasThem(t *testing.T) {
	f, api := nbtest.Start(t, fake.AuditorToken)
	f.EnableTraffic(fake.Flow{Source: "a", Destination: "b", Protocol: 6, Start: time.Now()}, fake.Flow{Source: "c", Destination: "d", Protocol: 6, Start: time.Now()})
	var out bytes.Buffer
	Run(t.Context(), baseConfig(t, api.BaseURL()), Probes{API: api}, time.Now(), &out)
	require.Contains(t, out.String(), "ok    traffic events         available (2 records)\n")
}

func TestProblemsAreNamedWithHints(t *testing.T) {
	_, bad := nbtest.Start(t, fake.DeletedToken)
	cfg := baseConfig(t, bad.BaseURL())
	cfg.Schedule.Backup = ""
	cfg.SMTP = config.SMTP{Host: "smtp.example.com", Port: 587, TLSMode: "starttls"}
	cfg.Backup.Paths = config.List{"/no/such/volume"}
	var out bytes.Buffer
	worst := Run(t.Context(), cfg, Probes{API: bad, SMTPCheck: func(context.Context) error { return errors.New("dial tcp: connection refused") }}, time.Now(), &out)
	require.Equal(t, Fail, worst)
	s := out.String()
	require.Contains(t, s, "FAIL  NB_API_KEY events      GET /api/events/audit: HTTP 404: invalid token")
	require.Contains(t, s, "hint: a service user's token with at least the Auditor role; a 404 with a JSON body means the token was deleted")
	require.Contains(t, s, "FAIL  SMTP                   dial tcp: connection refused")
	require.Contains(t, s, `FAIL  BACKUP_PATHS           BACKUP_PATHS entry "/no/such/volume" matches nothing`)
}

func TestAnUnresolvableHostAndAReadOnlyStateDirectory(t *testing.T) {
	_, api := nbtest.Start(t, fake.AuditorToken)
	cfg := baseConfig(t, "https://netbird.invalid")
	var out bytes.Buffer
	lookup := func(context.Context, string) ([]string, error) { return nil, errors.New("no such host") }
	worst := Run(t.Context(), cfg, Probes{API: api, LookupHost: lookup}, time.Now(), &out)
	require.Equal(t, Fail, worst)
	require.Contains(t, out.String(), "FAIL  NB_URL resolves        netbird.invalid: no such host")

	blocker := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(blocker, nil, 0o600))
	cfg = baseConfig(t, api.BaseURL())
	cfg.Forwarder.StateFile = filepath.Join(blocker, "state.json")
	out.Reset()
	Run(t.Context(), cfg, Probes{API: api}, time.Now(), &out)
	require.True(t, strings.Contains(out.String(), "FAIL  state directory"), out.String())
}

func TestTrafficEventsSwitchedOnWithoutThemOnTheServerIsAWarning(t *testing.T) {
	_, api := nbtest.Start(t, fake.AuditorToken)
	cfg := baseConfig(t, api.BaseURL())
	cfg.Streams = config.Streams{Traffic: true, Proxy: true}
	var out bytes.Buffer
	Run(t.Context(), cfg, Probes{API: api}, time.Now(), &out)
	require.Contains(t, out.String(), "WARN  traffic events         TRAFFIC_EVENTS=on but this server has none (a NetBird Cloud feature)  (hint: birdseye asks again every hour; set TRAFFIC_EVENTS=off to stop asking)\n")
	require.Contains(t, out.String(), "ok    proxy access log       available (0 requests logged); PROXY_LOGS=on forwards them\n")
}

func TestEveryOtherDestinationGetsALine(t *testing.T) {
	_, api := nbtest.Start(t, fake.AuditorToken)
	cfg := baseConfig(t, api.BaseURL())
	sent := []string{}
	send := func(name string) func(context.Context) error {
		return func(context.Context) error { sent = append(sent, name); return nil }
	}
	p := Probes{API: api, Destinations: []Destination{
		{Name: "webhook", Send: send("webhook")},
		{Name: "syslog", Reach: func(context.Context) error { return errors.New("syslog tcp://siem:601: connect: connection refused") }, Send: send("syslog")},
		{Name: "file", Reach: func(context.Context) error { return nil }, Send: send("file")},
	}}
	var out bytes.Buffer
	worst := Run(t.Context(), cfg, p, time.Now(), &out)
	require.Equal(t, Fail, worst)
	s := out.String()
	require.Contains(t, s, "ok    webhook                configured; not contacted (doctor --send-test sends a sample event)\n")
	require.Contains(t, s, "FAIL  syslog                 syslog tcp://siem:601: connect: connection refused  (hint: check its address, certificate and mounts)\n")
	require.Contains(t, s, "ok    file                   reachable (nothing sent; doctor --send-test sends a sample event)\n")
	require.Empty(t, sent, "nothing is sent without --send-test")

	p.SendTest = true
	out.Reset()
	Run(t.Context(), cfg, p, time.Now(), &out)
	require.Equal(t, []string{"webhook", "syslog", "file"}, sent)
	require.Contains(t, out.String(), "ok    syslog                 sample event delivered\n")
}

func TestTheRequestBudgetIsCheckedAgainstNetBirdsLimit(t *testing.T) {
	_, api := nbtest.Start(t, fake.AuditorToken)
	cfg := baseConfig(t, api.BaseURL())
	var out bytes.Buffer
	Run(t.Context(), cfg, Probes{API: api, Budget: func() (float64, string) { return 4.2, "audit 1.0, watch 3.2" }}, time.Now(), &out)
	require.Contains(t, out.String(), "ok    API request budget     about 4.2 requests a minute (audit 1.0, watch 3.2), within NetBird's optional limit of 6\n")
	out.Reset()
	Run(t.Context(), cfg, Probes{API: api, Budget: func() (float64, string) { return 6.2, "audit 1.0, watch 3.2, traffic 1.0, proxy 1.0" }}, time.Now(), &out)
	require.Contains(t, out.String(), "WARN  API request budget     about 6.2 requests a minute (audit 1.0, watch 3.2, traffic 1.0, proxy 1.0)  (hint: NetBird's optional rate limiter allows 6 a minute per token")
}

func TestTheCheckmkSpoolDirectoryIsChecked(t *testing.T) {
	_, api := nbtest.Start(t, fake.AuditorToken)
	cfg := baseConfig(t, api.BaseURL())
	cfg.Monitor.CheckmkDir = t.TempDir()
	var out bytes.Buffer
	Run(t.Context(), cfg, Probes{API: api}, time.Now(), &out)
	require.Contains(t, out.String(), "ok    CHECKMK_SPOOL_DIR      "+cfg.Monitor.CheckmkDir+": writable")
	cfg.Monitor.CheckmkDir = filepath.Join(t.TempDir(), "missing")
	out.Reset()
	Run(t.Context(), cfg, Probes{API: api}, time.Now(), &out)
	require.Contains(t, out.String(), "WARN  CHECKMK_SPOOL_DIR      "+cfg.Monitor.CheckmkDir+" is not a directory")
}
