package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/sink/email/smtptest"
)

// Every command and the daemon, run with known secrets and made to fail in
// the ways that print the most (bad tokens, a refused login, a deleted
// webhook, a wrong archive passphrase), never print a secret.
func TestNoSecretInAnyOutput(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(2, "policy.update", "p")
	smtp := smtptest.Start(t, "starttls", "mailer", "the-real-smtp-pass")
	_, hookURL := newMattermost(t)
	const hookSecret = "zz9plural9z9alpha"
	deadHook := strings.Replace(hookURL, mmHook, hookSecret, 1) // answers 400 Invalid webhook.
	zipPass := "zip-secret-passphrase-77"
	// A webhook receiver that refuses the request and echoes its
	// Authorization header back, as some do: the error must still not show it.
	wh := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unknown hook; you sent "+r.Header.Get("Authorization"), http.StatusNotFound)
	}))
	t.Cleanup(wh.Close)
	const whPath, whHeader, whKey = "wh-path-secret-31337", "Bearer hdr-secret-token-55", "whsec-hmac-key-9000"
	secrets := []string{hookSecret, "the-wrong-smtp-pass-99", zipPass, "nbp_secret_api_key_000000000000000000", fake.AdminToken, whPath, whHeader, whKey}

	src := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(src, "vol"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "vol", "f"), []byte("x"), 0o600))
	out := t.TempDir()
	sf := filepath.Join(t.TempDir(), "state.json")
	env := append(baseEnv(t, api, sf, "NB_API_KEY=nbp_secret_api_key_000000000000000000", "NB_ADMIN_API_KEY="+fake.AdminToken,
		"MATTERMOST_WEBHOOK_URL="+deadHook, "MATTERMOST_STARTUP_TEST=true", "BACKUP_ZIP_PASSWORD="+zipPass,
		"BACKUP_PATHS="+filepath.Join(src, "vol"), "LOG_LEVEL=debug",
		"WEBHOOK_URL="+wh.URL+"/in/"+whPath, "WEBHOOK_HEADERS=Authorization: "+whHeader, "WEBHOOK_SECRET="+whKey),
		mailEnv(smtp, "immediate", "SMTP_PASSWORD=the-wrong-smtp-pass-99", "EMAIL_STARTUP_TEST=true")...)

	var all strings.Builder
	runs := [][]string{
		{"doctor", "--send-test"}, {"policies", "list"}, {"peers", "list", "-o", "json"}, {"overview"}, {"events", "--once"},
		{"setup-keys", "list"}, {"cleanup-ephemeral", "--dry-run"}, {"peers", "prune", "--offline-days", "1"},
		{"allow-ping", "--dry-run"}, {"posture", "add", "Recent client", "--all", "--dry-run"},
		{"backup", "volumes", "--out", out}, {"export", "--out", out}, {"backup", "run", "--dry-run"}, {"changes"}, {"sinks", "test"},
	}
	for _, args := range runs {
		d := start(t, env, args...)
		d.waitExit()
		all.WriteString(strings.Join(d.stdout(), "\n") + d.logs())
	}
	// The daemon: the token is refused (it reads NB_API_KEY, which the fake does not know).
	d := start(t, env)
	d.waitExit()
	all.WriteString(strings.Join(d.stdout(), "\n") + d.logs())
	// The daemon with a good token: the webhook and SMTP fail while events flow.
	good := append(env, "NB_API_KEY="+fake.AuditorToken)
	d = start(t, good)
	d.waitLog("first boot")
	f.AddN(1, "user.block", "u")
	d.waitLog("Invalid webhook.")
	d.waitLog("SMTP AUTH failed")
	d.waitLog("unknown hook")
	d.signal(syscall.SIGTERM)
	d.waitExit()
	all.WriteString(strings.Join(d.stdout(), "\n") + d.logs())
	// A wrong archive passphrase at restore time.
	files, _ := filepath.Glob(filepath.Join(out, "*.zip"))
	require.NotEmpty(t, files)
	d = start(t, append(env, "BACKUP_ZIP_PASSWORD=not-the-zip-secret-88"), "backup", "verify", files[0])
	d.waitExit()
	all.WriteString(strings.Join(d.stdout(), "\n") + d.logs())

	text := all.String()
	require.Contains(t, text, "Invalid webhook.", "the failures did happen")
	require.Contains(t, text, "SMTP AUTH failed")
	require.Contains(t, text, "unknown hook; you sent [redacted]", "the echo is scrubbed")
	for _, s := range append(secrets, "not-the-zip-secret-88") {
		require.NotContains(t, text, s)
	}
}
