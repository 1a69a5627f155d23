package main

import (
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	_ "modernc.org/sqlite"
)

// BACKUP_ENCRYPTION=age: the archive opens with the stock age CLI and tar
// (an SSH key as recipient: this host holds only its public half), and
// with birdseye's verify and extract given the key; SQLite comes out as a
// consistent snapshot.
func TestE2EAgeBackupsRestoreWithTheAgeCLIAndWithBirdseye(t *testing.T) {
	for _, tool := range []string{"age", "ssh-keygen"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is needed in CI", tool)
			}
			t.Skipf("skipped: no %s here (apt-get install age openssh-client)", tool)
		}
	}
	src := filepath.Join(t.TempDir(), "netbird")
	require.NoError(t, os.MkdirAll(src, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "management.json"), []byte(`{"DataStoreEncryptionKey":"k"}`), 0o600))
	db, err := sql.Open("sqlite", "file:"+filepath.Join(src, "store.db")+"?_pragma=journal_mode(wal)")
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE peers (id TEXT); INSERT INTO peers VALUES ('p1'), ('p2')`)
	require.NoError(t, err)
	defer db.Close()
	keys := t.TempDir()
	key := filepath.Join(keys, "id_ed25519")
	res, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key).CombinedOutput()
	require.NoError(t, err, string(res))
	pub, _ := os.ReadFile(key + ".pub")
	out := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "BACKUP_PATHS=" + src, "BACKUP_LABEL=prod", "BACKUP_ENCRYPTION=age", "BACKUP_AGE_RECIPIENTS=" + strings.TrimSpace(string(pub))}

	d := start(t, env, "backup", "volumes", "--out", out)
	require.Equal(t, 0, d.waitExit(), d.logs())
	m := regexp.MustCompile(`^archive: (.*netbird-prod-\d{8}T\d{6}Z\.tar\.gz\.age)$`).FindStringSubmatch(d.stdout()[0])
	require.NotNil(t, m, d.stdout())
	file := m[1]

	restore := t.TempDir()
	cmd := exec.Command("sh", "-c", `age -d -i "$1" "$2" | tar xz -C "$3" && cd "$3" && sha256sum -c SHA256SUMS`, "sh", key, file, restore)
	res, err = cmd.CombinedOutput()
	require.NoError(t, err, string(res))
	require.Contains(t, string(res), "netbird/store.db: OK")
	_, err = os.Stat(filepath.Join(restore, "netbird", "store.db-wal"))
	require.True(t, os.IsNotExist(err), "the -wal is folded into the snapshot")

	d = start(t, env, "backup", "verify", "--identity", key, file)
	require.Equal(t, 0, d.waitExit(), d.logs())
	text := strings.Join(d.stdout(), "\n")
	require.Contains(t, text, "sqlite: netbird/store.db: integrity ok")
	require.Contains(t, text, "ok: 3 entries decrypt and match their checksums")

	dst := filepath.Join(t.TempDir(), "restore")
	d = start(t, env, "backup", "extract", "--identity", key, file, dst)
	require.Equal(t, 0, d.waitExit(), d.logs())
	got, err := os.ReadFile(filepath.Join(dst, "netbird", "management.json"))
	require.NoError(t, err)
	require.Equal(t, `{"DataStoreEncryptionKey":"k"}`, string(got))

	other := filepath.Join(keys, "other")
	res, err = exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other).CombinedOutput()
	require.NoError(t, err, string(res))
	d = start(t, env, "backup", "verify", "--identity", other, file)
	require.Equal(t, 1, d.waitExit())
	require.Contains(t, d.logs(), "no identity or passphrase given opens this archive")
}

func TestE2EAgeWithAPassphraseAndBadSettings(t *testing.T) {
	skipUnderRace(t, "scrypt under the race detector takes most of half a minute")
	src := filepath.Join(t.TempDir(), "netbird")
	require.NoError(t, os.MkdirAll(src, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "management.json"), []byte(`{}`), 0o600))
	out := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "BACKUP_PATHS=" + src, "BACKUP_ENCRYPTION=age", "BACKUP_ZIP_PASSWORD=an age passphrase of length"}
	d := start(t, env, "backup", "volumes", "--out", out)
	require.Equal(t, 0, d.waitExit(), d.logs())
	file := strings.TrimPrefix(d.stdout()[0], "archive: ")
	require.True(t, strings.HasSuffix(file, ".tar.gz.age"))
	d = start(t, env, "backup", "verify", file)
	require.Equal(t, 0, d.waitExit(), d.logs())
	require.Contains(t, strings.Join(d.stdout(), "\n"), "ok: 2 entries decrypt")

	for _, c := range []struct {
		env  []string
		want string
	}{
		{[]string{"BACKUP_ENCRYPTION=rar", "BACKUP_ZIP_PASSWORD=long enough passphrase"}, `config: BACKUP_ENCRYPTION="rar" is not a format; expected zip or age`},
		{[]string{"BACKUP_ENCRYPTION=age", "BACKUP_AGE_RECIPIENTS=age1nope"}, "config: BACKUP_AGE_RECIPIENTS recipient 1 is not an age1… key or an SSH public key"},
		{[]string{"BACKUP_ENCRYPTION=age"}, "config: BACKUP_ZIP_PASSWORD is not set"},
	} {
		d := start(t, append([]string{"PATH=" + os.Getenv("PATH"), "BACKUP_PATHS=" + src}, c.env...), "backup", "volumes", "--out", out)
		require.Equal(t, 2, d.waitExit(), c.want)
		require.Contains(t, d.logs(), c.want)
	}
	d = start(t, env, "backup", "verify", "--identity", filepath.Join(src, "management.json"), file)
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), "is neither an age key file nor an SSH private key without a passphrase")
}

// `backup check latest` opens the newest archive in BACKUP_DIR, compares
// the store with the live server and says whether it restores.
func TestE2EBackupCheckLatestAgainstTheLiveServer(t *testing.T) {
	_, api := newAPI(t)
	src := filepath.Join(t.TempDir(), "netbird")
	require.NoError(t, os.MkdirAll(src, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "management.json"), []byte(`{"DataStoreEncryptionKey":"k"}`), 0o600))
	db, err := sql.Open("sqlite", "file:"+filepath.Join(src, "store.db"))
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE accounts (id TEXT); INSERT INTO accounts VALUES ('a');
		CREATE TABLE peers (id TEXT); INSERT INTO peers VALUES ('1'), ('2'), ('3');
		CREATE TABLE "groups" (id TEXT); INSERT INTO "groups" VALUES ('1')`)
	require.NoError(t, err)
	db.Close()
	dir := t.TempDir()
	env := toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken, "BACKUP_PATHS="+src, "BACKUP_DIR="+dir, "BACKUP_ZIP_PASSWORD=e2e backup passphrase")
	d := start(t, env, "backup", "volumes", "--out", dir)
	require.Equal(t, 0, d.waitExit(), d.logs())

	d = start(t, env, "backup", "check", "latest")
	require.Equal(t, 0, d.waitExit(), d.logs()+strings.Join(d.stdout(), "\n"))
	out := strings.Join(d.stdout(), "\n")
	require.Contains(t, out, "store:    netbird/store.db: 1 accounts, 3 peers (live 3), 1 groups (live 4)")
	require.Contains(t, out, "warning:  differs from the live server (changes since the backup are normal): groups 1 in the backup, 4 live")
	require.Contains(t, out, "verdict:  restorable")

	d = start(t, toolEnv(api.URL, "BACKUP_DIR="+t.TempDir(), "BACKUP_ZIP_PASSWORD=e2e backup passphrase"), "backup", "check", "latest")
	require.Equal(t, 1, d.waitExit())
	require.Contains(t, d.logs(), "no volume archive (netbird-*.zip or .tar.gz.age) in BACKUP_DIR=")
	d = start(t, toolEnv(api.URL, "BACKUP_ZIP_PASSWORD=e2e backup passphrase"), "backup", "check", "latest")
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), "config: BACKUP_DIR is not set")
}

// `backup check <target URL>` fetches the newest archive a target holds.
func TestE2EBackupCheckOfWhatATargetHolds(t *testing.T) {
	src := filepath.Join(t.TempDir(), "netbird")
	require.NoError(t, os.MkdirAll(src, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "management.json"), []byte(`{"DataStoreEncryptionKey":"k"}`), 0o600))
	disk := t.TempDir()
	env := []string{"PATH=" + os.Getenv("PATH"), "STATE_FILE=" + filepath.Join(t.TempDir(), "state.json"), "BACKUP_PATHS=" + src,
		"BACKUP_ZIP_PASSWORD=e2e backup passphrase", "BACKUP_TARGETS=file://" + disk}
	d := start(t, env, "backup", "run")
	require.Equal(t, 0, d.waitExit(), d.logs()+strings.Join(d.stdout(), "\n"))
	require.Contains(t, strings.Join(d.stdout(), "\n"), "stored in file://"+disk)

	d = start(t, env, "backup", "check", "file://"+disk)
	require.Equal(t, 0, d.waitExit(), d.logs()+strings.Join(d.stdout(), "\n"))
	out := strings.Join(d.stdout(), "\n")
	require.Regexp(t, `archive:  .*/netbird-backup-\d{8}T\d{6}Z\.zip`, out)
	require.Contains(t, out, "verdict:  restorable")

	d = start(t, env, "backup", "check", "ftp://old/x")
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), `birdseye: ARCHIVE "ftp://old/x": unknown scheme`)
}
