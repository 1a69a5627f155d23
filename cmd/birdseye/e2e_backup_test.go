package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/sink/email/smtptest"
)

func TestE2EBackupVolumesVerifyExtract(t *testing.T) {
	src := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(src, "netbird"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "netbird", "management.json"), []byte(`{"DataStoreEncryptionKey":"k"}`), 0o600))
	out := t.TempDir()
	pw := "BACKUP_ZIP_PASSWORD=e2e backup passphrase"
	env := []string{"PATH=" + os.Getenv("PATH"), "BACKUP_PATHS=" + filepath.Join(src, "net*"), "BACKUP_LABEL=prod", pw}

	d := start(t, env, "backup", "volumes", "--out", out)
	require.Equal(t, 0, d.waitExit(), d.logs())
	m := regexp.MustCompile(`^archive: (.*netbird-prod-\d{8}T\d{6}Z\.zip)$`).FindStringSubmatch(d.stdout()[0])
	require.NotNil(t, m, d.stdout())
	file := m[1]

	d = start(t, env, "backup", "verify", file)
	require.Equal(t, 0, d.waitExit(), d.logs())
	require.Contains(t, strings.Join(d.stdout(), "\n"), "netbird/management.json")
	require.Contains(t, d.stdout()[len(d.stdout())-1], "ok: ")

	dst := filepath.Join(t.TempDir(), "restore")
	d = start(t, env, "backup", "extract", file, dst)
	require.Equal(t, 0, d.waitExit(), d.logs())
	got, err := os.ReadFile(filepath.Join(dst, "netbird", "management.json"))
	require.NoError(t, err)
	require.Equal(t, `{"DataStoreEncryptionKey":"k"}`, string(got))

	d = start(t, []string{"PATH=" + os.Getenv("PATH"), "BACKUP_ZIP_PASSWORD=a different passphrase"}, "backup", "verify", file)
	require.Equal(t, 1, d.waitExit())
	require.Contains(t, d.logs(), "the passphrase does not open")

	d = start(t, []string{"PATH=" + os.Getenv("PATH"), "BACKUP_PATHS=/x", "BACKUP_ZIP_PASSWORD=short"}, "backup", "volumes")
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), "config: BACKUP_ZIP_PASSWORD has 5 characters; expected at least 12")
	require.NotContains(t, d.logs(), "short\n")

	d = start(t, []string{"PATH=" + os.Getenv("PATH"), "BACKUP_PATHS=" + filepath.Join(src, "nothing*"), pw}, "backup", "volumes", "--dry-run")
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), `config: BACKUP_PATHS entry "`+filepath.Join(src, "nothing*")+`" matches nothing`)

	d = start(t, env, "backup", "volumes", "--dry-run")
	require.Equal(t, 0, d.waitExit(), d.logs())
	require.Contains(t, d.stdout()[len(d.stdout())-1], "dry run: the archive was built and checked, then deleted")
}

func TestE2EExport(t *testing.T) {
	_, api := newAPI(t)
	out := t.TempDir()
	env := toolEnv(api.URL, "NB_ADMIN_API_KEY="+fake.AdminToken, "BACKUP_ZIP_PASSWORD=e2e export passphrase")
	d := start(t, env, "export", "--out", out)
	require.Equal(t, 0, d.waitExit(), d.logs())
	text := strings.Join(d.stdout(), "\n")
	require.Contains(t, text, "skipped  /api/event-streaming")
	require.Regexp(t, `ok\s+/api/policies\s+3 items`, text)
	files, _ := filepath.Glob(filepath.Join(out, "netbirdexport-export-*.zip"))
	require.Len(t, files, 1)

	restore := t.TempDir()
	d = start(t, env, "backup", "extract", files[0], restore)
	require.Equal(t, 0, d.waitExit(), d.logs())
	raw, err := os.ReadFile(filepath.Join(restore, "export", "manifest.json"))
	require.NoError(t, err)
	var m struct {
		NBURL     string `json:"nb_url"`
		Endpoints []struct {
			Name, Status string
		} `json:"endpoints"`
	}
	require.NoError(t, json.Unmarshal(raw, &m))
	require.Equal(t, api.URL, m.NBURL)
	require.NotEmpty(t, m.Endpoints)
	doc, err := os.ReadFile(filepath.Join(restore, "export", "netbird-config.yaml"))
	require.NoError(t, err, "the by-name document is in the archive too")
	require.Contains(t, string(doc), "birdseye_config: 1\n")
	require.Contains(t, string(doc), "    name: Admins to Servers\n")

	d = start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken, "BACKUP_ZIP_PASSWORD=e2e export passphrase"), "export")
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), "NB_ADMIN_API_KEY is not set; export needs an admin token")
}

func TestE2EBackupRunAndItsSchedule(t *testing.T) {
	_, api := newAPI(t)
	src := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(src, "netbird"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "netbird", "management.json"), []byte(`{"DataStoreEncryptionKey":"k"}`), 0o600))
	smtp := smtptest.Start(t, "starttls", "", "")
	keep := t.TempDir()
	env := append(toolEnv(api.URL, "NB_ADMIN_API_KEY="+fake.AdminToken, "BACKUP_ZIP_PASSWORD=e2e backup passphrase",
		"BACKUP_PATHS="+filepath.Join(src, "netbird"), "BACKUP_LABEL=prod", "BACKUP_DIR="+keep, "EXPORT_EMAIL_TO=audit@example.com"), mailEnv(smtp, "off")...)

	// A BACKUP_DIR that is not there (an unmounted volume) is named, with
	// the fix, before anything is built.
	d := start(t, append(env, "BACKUP_DIR="+filepath.Join(keep, "not-mounted")), "backup", "run")
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), `config: BACKUP_DIR="`+filepath.Join(keep, "not-mounted")+`" is not a directory; expected a mounted volume`)
	require.Empty(t, smtp.Messages())

	d = start(t, env, "backup", "run", "--dry-run")
	require.Equal(t, 0, d.waitExit(), strings.Join(d.stdout(), "\n"))
	require.Empty(t, smtp.Messages(), "a dry run mails nothing")

	d = start(t, env, "backup", "run")
	require.Equal(t, 0, d.waitExit(), strings.Join(d.stdout(), "\n"))
	msgs := smtp.Messages()
	require.Len(t, msgs, 2)
	require.Equal(t, []string{"ops@example.com", "admin@example.com"}, msgs[0].To, "volumes: SMTP_TO when BACKUP_EMAIL_TO is empty")
	require.Equal(t, []string{"audit@example.com"}, msgs[1].To)
	kept, _ := filepath.Glob(filepath.Join(keep, "*.zip"))
	require.Len(t, kept, 2)

	// The daemon's schedule: the same job, at start a line with its next run.
	sf := filepath.Join(t.TempDir(), "state.json")
	d = start(t, append(env, "STATE_FILE="+sf, "POLL_INTERVAL=0.2", "CRON_CLEANUP_EPHEMERAL=", "CRON_BACKUP_NETBIRD=@every 1s", "NB_API_KEY="+fake.AuditorToken))
	d.waitLog(`msg="job scheduled" job=backup`)
	d.waitFor("two more mails", func() bool { return len(smtp.Messages()) >= 4 })

	// Missing prerequisites: one warning naming them, no job.
	d = start(t, []string{"PATH=" + os.Getenv("PATH"), "NB_URL=" + api.URL, "NB_API_KEY=" + fake.AuditorToken, "STATE_FILE=" + filepath.Join(t.TempDir(), "s.json"),
		"CRON_BACKUP_NETBIRD=0 3 * * 0", "CRON_CLEANUP_EPHEMERAL="})
	d.waitLog("backup is off: CRON_BACKUP_NETBIRD is set but these are missing: BACKUP_ZIP_PASSWORD (or BACKUP_ENCRYPTION=age with BACKUP_AGE_RECIPIENTS); BACKUP_PATHS or NB_ADMIN_API_KEY")
}

// A non-root birdseye and a root-owned NetBird volume: the daemon names the
// unreadable path at start instead of failing at the first backup. The test
// runs the daemon as nobody (65534) when it runs as root, as CI does.
func TestE2EAnUnreadableBackupPathIsNamedAtStart(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to start the daemon as another user")
	}
	_, api := newAPI(t)
	vol := t.TempDir()
	secret := filepath.Join(vol, "store.db")
	require.NoError(t, os.WriteFile(secret, []byte("root only"), 0o600))
	require.NoError(t, os.Chmod(vol, 0o755))
	// The standby clone reads the same volume (CLONE_DB_PATHS).
	for _, job := range []struct{ variable, path string }{{"BACKUP_PATHS", vol}, {"CLONE_DB_PATHS", secret}} {
		t.Run(job.variable, func(t *testing.T) {
			state := t.TempDir()
			require.NoError(t, os.Chmod(state, 0o777))
			require.NoError(t, os.Chmod(filepath.Dir(binPath), 0o755))
			require.NoError(t, os.Chmod(filepath.Dir(state), 0o755)) // the test's temp root: nobody must get through it
			require.NoError(t, os.Chmod(filepath.Dir(vol), 0o755))
			cmd := exec.Command(binPath, "run")
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "NB_URL=" + api.URL, "NB_API_KEY=" + fake.AuditorToken,
				"NB_ADMIN_API_KEY=" + fake.AdminToken, "STATE_FILE=" + filepath.Join(state, "state.json"), "CRON_CLEANUP_EPHEMERAL="}
			if job.variable == "BACKUP_PATHS" {
				cmd.Env = append(cmd.Env, "CRON_BACKUP_NETBIRD=0 3 * * 0", "BACKUP_PATHS="+vol, "BACKUP_ZIP_PASSWORD=a long enough passphrase", "BACKUP_DIR="+state)
			} else {
				cmd.Env = append(cmd.Env, "CRON_CLONE_STANDBY=0 4 * * *", "CLONE_SSH_HOST=root@standby.invalid", "CLONE_TARGETS=cold", "CLONE_PRIMARY_HOST=nb.example.com",
					"CLONE_COLD_ROOT=/opt/cold", "CLONE_DB_PATHS="+secret)
			}
			cmd.Dir = state
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			var mu sync.Mutex
			var buf bytes.Buffer
			cmd.Stderr = &lockedWriter{mu: &mu, w: &buf}
			stderr := func() string { mu.Lock(); defer mu.Unlock(); return buf.String() }
			require.NoError(t, cmd.Start())
			want := "a " + job.variable + " entry is not readable by birdseye"
			deadline := time.Now().Add(20 * time.Second)
			for !strings.Contains(stderr(), want) && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
			require.Contains(t, stderr(), want)
			require.Contains(t, stderr(), "path="+job.path)
			require.Contains(t, stderr(), "uid=65534")
		})
	}
}

// A restore asks for the passphrase on a terminal when no variable holds it
// (script(1) gives the command a terminal; the answer comes on stdin).
func TestE2ERestoreAsksForThePassphraseOnATerminal(t *testing.T) {
	scriptBin, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) is not installed")
	}
	src := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(src, "vol"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "vol", "a.txt"), []byte("a"), 0o600))
	out := t.TempDir()
	d := start(t, []string{"PATH=" + os.Getenv("PATH"), "BACKUP_PATHS=" + filepath.Join(src, "vol"), "BACKUP_ZIP_PASSWORD=typed at the prompt"}, "backup", "volumes", "--out", out)
	require.Equal(t, 0, d.waitExit())
	files, _ := filepath.Glob(filepath.Join(out, "*.zip"))
	require.Len(t, files, 1)

	cmd := exec.Command(scriptBin, "-qec", binPath+" backup verify "+files[0], "/dev/null")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "TERM=dumb"}
	cmd.Stdin = strings.NewReader("typed at the prompt\n")
	res, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", res)
	// The terminal echoes what script(1) types before the prompt appears;
	// after the prompt, echo is off.
	_, after, found := strings.Cut(string(res), "Archive passphrase:")
	require.True(t, found, "%s", res)
	require.NotContains(t, after, "typed at the prompt", "no echo after the prompt")
	require.Contains(t, string(res), "ok: ")

	d = start(t, []string{"PATH=" + os.Getenv("PATH")}, "backup", "verify", files[0])
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), "BACKUP_ZIP_PASSWORD is not set and there is no terminal to ask on")
}
