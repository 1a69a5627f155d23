package jobs

import (
	"bytes"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/schedule"
	"github.com/styliteag/birdseye/internal/sink/email/smtptest"
	"github.com/styliteag/birdseye/internal/sshremote/sshtest"
)

// The scheduled offsite backup against a real sshd and a real SMTP server:
// success writes the old tool's Checkmk file and mails nothing; a failure
// turns the check CRIT and mails OFFSITE_EMAIL_TO in the old tool's words.
func TestTheScheduledOffsiteBackupReportsToCheckmkAndMailsAFailure(t *testing.T) {
	sshd := sshtest.Start(t)
	smtp := smtptest.Start(t, "none", "", "")
	src := filepath.Join(t.TempDir(), "netbird")
	require.NoError(t, os.MkdirAll(src, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "management.json"), []byte("{}"), 0o600))
	spool, state := t.TempDir(), t.TempDir()
	remote := filepath.Join(t.TempDir(), "archives")
	cfg := &config.Config{
		NetBird:   config.NetBird{URL: "https://netbird.example.com"},
		Forwarder: config.Forwarder{StateFile: filepath.Join(state, "state.json")},
		Schedule:  config.Schedule{Offsite: "30 2 * * *"},
		Offsite: config.Offsite{Host: "root@127.0.0.1", Port: config.Count(sshd.Port), Key: sshd.ClientKey, Strict: "accept-new",
			RemoteDir: remote, Paths: config.List{src}, Prefix: "config-backup", Keep: 14, WorkDir: filepath.Join(t.TempDir(), "work"), EmailTo: config.List{"offsite@example.com"}},
		Backup:  config.Backup{EmailTo: config.List{"backup@example.com"}, Label: "prod"},
		SMTP:    config.SMTP{Host: smtp.Host, Port: smtp.Port, TLSMode: "none", From: "birdseye@example.com", To: []string{"ops@example.com"}},
		Monitor: config.Monitor{CheckmkDir: spool, PingStyle: "healthchecks"},
		Log:     config.Log{TZ: config.Location{Name: "UTC", Loc: time.UTC}},
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	s := schedule.New(time.UTC, log)
	require.NoError(t, addJob(s, cfg, log, "CRON_BACKUP_OFFSITE"))
	require.Len(t, s.Jobs(), 1)
	job := s.Jobs()[0]
	require.Equal(t, "backup-offsite", job.Name)

	require.NoError(t, s.RunOnce(t.Context(), job))
	check := filepath.Join(spool, "172800_netbird_config_backup.txt")
	b, err := os.ReadFile(check)
	require.NoError(t, err)
	require.Regexp(t, `^0 NetBird_Config_Backup - \d{4}-\d\d-\d\d \d\d:\d\d ok in \d+s; 1 archives, 0\.0 MB, newest config-backup-\d{8}-\d{6}\.tar\.gz \(0\.0 MB\)\n$`, string(b))
	require.Empty(t, smtp.Messages())
	_, err = os.Stat(filepath.Join(state, "known_hosts"))
	require.NoError(t, err, "accept-new learned the key into the state directory")

	sshd.NewHostKey(t)
	require.Error(t, s.RunOnce(t.Context(), job))
	b, _ = os.ReadFile(check)
	require.Regexp(t, `^2 NetBird_Config_Backup - backup FAILED: ssh root@127\.0\.0\.1:\d+: ssh: handshake failed: host key refused: the host key of 127\.0\.0\.1:\d+ has CHANGED`, string(b))
	msgs := smtp.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, []string{"offsite@example.com"}, msgs[0].To)
	require.Regexp(t, `^\[NetBird offsite backup prod\] netbird\.example\.com \d{4}-\d\d-\d\d — FAILED$`, msgs[0].Subject)
	require.Contains(t, msgs[0].Body, "The offsite config backup failed.\n\nssh root@127.0.0.1:")
	require.Contains(t, msgs[0].Body, "The archive should have landed in "+remote+" on root@127.0.0.1.\nCheck with:  birdseye backup offsite --list\n")
	require.Contains(t, logs.String(), "failure mailed to offsite@example.com")
}

func TestAnOffsiteFailureWithoutOffsiteRecipientsGoesToTheBackupOnesThenSMTPTo(t *testing.T) {
	smtp := smtptest.Start(t, "none", "", "")
	cfg := &config.Config{
		Offsite: config.Offsite{Host: "b@vault", RemoteDir: "/srv/b"},
		SMTP:    config.SMTP{Host: smtp.Host, Port: smtp.Port, TLSMode: "none", From: "birdseye@example.com", To: []string{"ops@example.com"}},
		Log:     config.Log{TZ: config.Location{Name: "UTC", Loc: time.UTC}},
	}
	log := slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
	mailFailure(t.Context(), cfg, log, spec(t, "CRON_BACKUP_OFFSITE"), os.ErrNotExist, "", time.Now())
	cfg.Backup.EmailTo = config.List{"backup@example.com"}
	mailFailure(t.Context(), cfg, log, spec(t, "CRON_BACKUP_OFFSITE"), os.ErrNotExist, "", time.Now())
	msgs := smtp.Messages()
	require.Len(t, msgs, 2)
	require.Equal(t, []string{"ops@example.com"}, msgs[0].To)
	require.Equal(t, []string{"backup@example.com"}, msgs[1].To)
}

// A remote that refuses the connection (sshd restarting) is tried again,
// and the report says so; it fails only when the attempts run out.
func TestAnOffsiteConnectionRefusedIsTriedAgain(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nothing listens there now
	src := filepath.Join(t.TempDir(), "netbird")
	require.NoError(t, os.MkdirAll(src, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "management.json"), []byte("{}"), 0o600))
	key := filepath.Join(t.TempDir(), "id")
	out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key).CombinedOutput()
	if err != nil {
		t.Skipf("ssh-keygen: %v %s", err, out)
	}
	o := OffsiteOptions(config.Offsite{Host: "root@127.0.0.1", Port: config.Count(port), Key: key, Strict: "accept-new",
		RemoteDir: "/srv/b", Paths: config.List{src}, Prefix: "config-backup", Keep: 3, WorkDir: filepath.Join(t.TempDir(), "work")},
		filepath.Join(t.TempDir(), "state.json"), time.UTC)
	var report bytes.Buffer
	err = OffsiteWork(nil, o)(t.Context(), &report)
	require.ErrorIs(t, err, syscall.ECONNREFUSED)
	require.Contains(t, report.String(), "attempt 2 of 3 in 1s")
	require.Contains(t, report.String(), "attempt 3 of 3 in 2s")
}
