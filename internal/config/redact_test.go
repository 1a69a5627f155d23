package config

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestScrubRemovesEverySecretValueFromText(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	require.NoError(t, os.WriteFile(pw, []byte("zip-passphrase-from-file\n"), 0o600))
	t.Setenv("NB_API_KEY", "nbp_apikeyapikeyapikeyapikeyapikey123456")
	t.Setenv("SMTP_PASSWORD", "smtp-secret-pw")
	t.Setenv("MATTERMOST_WEBHOOK_URL", "https://chat.example.com/hooks/x7hookkey9abcdef")
	t.Setenv("BACKUP_ZIP_PASSWORD_FILE", pw)
	t.Setenv("NB_ADMIN_API_KEY", "ab") // too short to scrub safely
	t.Setenv("WEBHOOK_HEADERS", "X-Team: ops-team; Authorization: Bearer hdrtoken-123456")

	text := "panic: GET https://nb/api?t=nbp_apikeyapikeyapikeyapikeyapikey123456 smtp-secret-pw " +
		"https://chat.example.com/hooks/x7hookkey9abcdef posted to .../x7hookkey9abcdef, zip-passphrase-from-file; ab stays" +
		" echo: Bearer hdrtoken-123456, token hdrtoken-123456"
	got := Scrub(text, SecretValues())
	for _, s := range []string{"nbp_apikey", "smtp-secret-pw", "x7hookkey9abcdef", "zip-passphrase-from-file", "hdrtoken-123456", "ops-team"} {
		require.NotContains(t, got, s)
	}
	require.Contains(t, got, "ab stays")
	require.Contains(t, got, "[redacted]")
}

// A server that echoes the AUTH line in its refusal shows the password in
// base64: PLAIN (NUL user NUL password) and LOGIN (the password alone).
func TestScrubRemovesTheSMTPPasswordInItsBase64Forms(t *testing.T) {
	t.Setenv("SMTP_USER", "alerts@example.com")
	t.Setenv("SMTP_PASSWORD", "smtp-secret-pw")
	plain := base64.StdEncoding.EncodeToString([]byte("\x00alerts@example.com\x00smtp-secret-pw"))
	login := base64.StdEncoding.EncodeToString([]byte("smtp-secret-pw"))
	text := "535 5.7.8 authentication failed for AUTH PLAIN " + plain + "; then LOGIN " + login + " refused"
	got := Scrub(text, SecretValues())
	require.NotContains(t, got, strings.TrimRight(plain, "="))
	require.NotContains(t, got, strings.TrimRight(login, "="))
	require.Contains(t, got, "authentication failed for AUTH PLAIN [redacted]")
}

// The path of events.db is no secret; a Postgres DSN's password is, also
// alone (a driver's refusal may name it).
func TestADSNsPasswordIsScrubbedAndAPathIsNot(t *testing.T) {
	t.Setenv("EVENTS_DB", "/netbird-data/events.db")
	t.Setenv("NB_ACTIVITY_EVENT_POSTGRES_DSN", "host=postgres dbname=netbird user=nb password=pg-s3cret-pw")
	got := Scrub("reading /netbird-data/events.db; connect: password pg-s3cret-pw refused", SecretValues())
	require.Equal(t, "reading /netbird-data/events.db; connect: password [redacted] refused", got)
}
