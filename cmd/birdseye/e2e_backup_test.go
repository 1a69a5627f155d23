package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/fake"
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
	require.Contains(t, d.logs(), "BACKUP_ZIP_PASSWORD does not open")

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

	d = start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken, "BACKUP_ZIP_PASSWORD=e2e export passphrase"), "export")
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), "NB_ADMIN_API_KEY is not set; export needs an admin token")
}
