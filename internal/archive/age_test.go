package archive

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"github.com/stretchr/testify/require"
)

// needAge is the stock age CLI (Debian's age), which .ci/run installs.
func needAge(t *testing.T) { t.Helper(); needTools(t, "age", "ssh-keygen") }

// needTools skips a test whose command-line tools are missing here (age:
// Debian's age; ssh-keygen: openssh-client), and fails it in CI.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is needed in CI (.ci/run installs age and openssh-server)", tool)
			}
			t.Skipf("skipped: no %s here (apt-get install age openssh-client)", tool)
		}
	}
}

func writeAge(t *testing.T, recipients ...age.Recipient) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "netbird-prod-20261129T030000Z.tar.gz.age")
	f, err := os.Create(file)
	require.NoError(t, err)
	w, err := NewAgeWriter(f, recipients...)
	require.NoError(t, err)
	now := time.Date(2026, 11, 29, 3, 0, 0, 0, time.UTC)
	require.NoError(t, w.AddDir("data", 0o755, now))
	_, err = w.Add("data/management.json", strings.NewReader(`{"DataStoreEncryptionKey":"k"}`), 0o600, now)
	require.NoError(t, err)
	_, err = w.Add("data/store.db", bytes.NewReader(bytes.Repeat([]byte("sqlite"), 100000)), 0o600, now)
	require.NoError(t, err)
	_, err = w.Add("data/streamed.log", strings.NewReader("x"), 0o644, now)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, f.Close())
	return file
}

// The stock age CLI and tar restore what the writer wrote, with an age
// key or an SSH key as recipient; sha256sum -c agrees with SHA256SUMS.
func TestTheAgeCLIAndTarRestoreTheArchive(t *testing.T) {
	needAge(t)
	dir := t.TempDir()
	key := filepath.Join(dir, "key.txt")
	out, err := exec.Command("age-keygen", "-o", key).CombinedOutput()
	require.NoError(t, err, string(out))
	pub, err := exec.Command("age-keygen", "-y", key).Output()
	require.NoError(t, err)
	sshKey := filepath.Join(dir, "id_ed25519")
	out, err = exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", sshKey).CombinedOutput()
	require.NoError(t, err, string(out))
	sshPub, _ := os.ReadFile(sshKey + ".pub")

	ageRecipient, err := age.ParseX25519Recipient(strings.TrimSpace(string(pub)))
	require.NoError(t, err)
	sshRecipient, err := agessh.ParseRecipient(strings.TrimSpace(string(sshPub)))
	require.NoError(t, err)
	file := writeAge(t, ageRecipient, sshRecipient)

	for _, identity := range []string{key, sshKey} {
		restore := t.TempDir()
		cmd := exec.Command("sh", "-c", `age -d -i "$1" "$2" | tar xz -C "$3" && cd "$3" && sha256sum -c SHA256SUMS`, "sh", identity, file, restore)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		require.Contains(t, string(out), "data/store.db: OK")
		b, err := os.ReadFile(filepath.Join(restore, "data", "management.json"))
		require.NoError(t, err)
		require.Equal(t, `{"DataStoreEncryptionKey":"k"}`, string(b))
		fi, _ := os.Stat(filepath.Join(restore, "data", "store.db"))
		require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	}

	raw, _ := os.ReadFile(file)
	require.NotContains(t, string(raw), "management.json", "names are encrypted too")
}

func TestEachAgeChecksEveryFileAndRefusesAWrongKeyOrADamagedFile(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	file := writeAge(t, id.Recipient())
	var names []string
	entries, err := EachAge(file, []age.Identity{id}, func(name string, _ io.Reader) error { names = append(names, name); return nil })
	require.NoError(t, err)
	require.Equal(t, []string{"data/management.json", "data/store.db", "data/streamed.log"}, names)
	require.Len(t, entries, 4, "the directory and three files")

	other, _ := age.GenerateX25519Identity()
	_, err = EachAge(file, []age.Identity{other}, nil)
	require.ErrorIs(t, err, ErrNoIdentity)

	raw, _ := os.ReadFile(file)
	raw[len(raw)/2] ^= 0xff
	bad := filepath.Join(t.TempDir(), "bad.tar.gz.age")
	require.NoError(t, os.WriteFile(bad, raw, 0o600))
	_, err = EachAge(bad, []age.Identity{id}, nil)
	require.Error(t, err, "age authenticates every chunk")
	require.NotErrorIs(t, err, ErrNoIdentity)

	trunc := filepath.Join(t.TempDir(), "short.tar.gz.age")
	require.NoError(t, os.WriteFile(trunc, raw[:len(raw)/3], 0o600))
	_, err = EachAge(trunc, []age.Identity{id}, nil)
	require.Error(t, err)
}

func TestAPassphraseArchiveOpensWithThePassphraseOnly(t *testing.T) {
	r, err := age.NewScryptRecipient("correct horse battery staple")
	require.NoError(t, err)
	r.SetWorkFactor(10) // fast in tests; the default is the CLI's
	file := writeAge(t, r)
	id, _ := age.NewScryptIdentity("correct horse battery staple")
	_, err = EachAge(file, []age.Identity{id}, nil)
	require.NoError(t, err)
	wrong, _ := age.NewScryptIdentity("wrong horse")
	_, err = EachAge(file, []age.Identity{wrong}, nil)
	require.ErrorIs(t, err, ErrNoIdentity)
}

func TestExtractAgeRestoresWithModesAndRefusesAWrongIdentity(t *testing.T) {
	needTools(t, "ssh-keygen")
	dir := t.TempDir()
	sshKey := filepath.Join(dir, "id_ed25519")
	out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", sshKey).CombinedOutput()
	require.NoError(t, err, string(out))
	pub, _ := os.ReadFile(sshKey + ".pub")
	recipient, err := agessh.ParseRecipient(strings.TrimSpace(string(pub)))
	require.NoError(t, err)
	file := writeAge(t, recipient)
	require.True(t, IsAge(file))
	require.False(t, IsAge(sshKey))

	ids, err := ParseIdentityFile(sshKey)
	require.NoError(t, err)
	dst := filepath.Join(t.TempDir(), "restore")
	got, err := ExtractAge(file, ids, dst)
	require.NoError(t, err)
	require.Equal(t, []string{"data/management.json", "data/store.db", "data/streamed.log"}, got.Files)
	fi, err := os.Stat(filepath.Join(dst, "data", "management.json"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	require.Equal(t, time.Date(2026, 11, 29, 3, 0, 0, 0, time.UTC), fi.ModTime().UTC())

	other, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	keyFile := filepath.Join(dir, "key.txt")
	require.NoError(t, os.WriteFile(keyFile, []byte(other.String()+"\n"), 0o600))
	ids, err = ParseIdentityFile(keyFile)
	require.NoError(t, err)
	_, err = ExtractAge(file, ids, t.TempDir())
	require.ErrorIs(t, err, ErrNoIdentity)
	_, err = ParseIdentityFile(sshKey + ".pub")
	require.ErrorContains(t, err, "is neither an age key file nor an SSH private key without a passphrase")
}

// A hidden-names zip shows 7-Zip only the inner tar's name; 7-Zip and tar
// restore it, and Verify, Each and Extract read through both layers.
func TestAHiddenNamesZipOpensWith7ZipAndTarAndWithBirdseye(t *testing.T) {
	file := filepath.Join(t.TempDir(), "netbird-prod-20261129T030000Z.zip")
	f, err := os.Create(file)
	require.NoError(t, err)
	w, err := NewHiddenWriter(f, "hidden names passphrase", "netbird-prod-20261129T030000Z.tar")
	require.NoError(t, err)
	now := time.Date(2026, 11, 29, 3, 0, 0, 0, time.UTC)
	require.NoError(t, w.AddDir("data", 0o755, now))
	_, err = w.Add("data/management.json", strings.NewReader(`{"DataStoreEncryptionKey":"k"}`), 0o600, now)
	require.NoError(t, err)
	require.NoError(t, w.Close())
	require.NoError(t, f.Close())

	raw, _ := os.ReadFile(file)
	require.NotContains(t, string(raw), "management.json", "the names are inside the encrypted tar")
	entries, err := Verify(file, "hidden names passphrase")
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name)
	}
	require.Equal(t, []string{"data/", "data/management.json"}, names)
	_, err = Verify(file, "wrong passphrase here")
	require.ErrorIs(t, err, ErrWrongPassword)
	got, err := Extract(file, "hidden names passphrase", filepath.Join(t.TempDir(), "x"))
	require.NoError(t, err)
	require.Equal(t, []string{"data/management.json"}, got.Files)

	if _, err := exec.LookPath("7z"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("7-Zip is needed in CI")
		}
		t.Skip("skipped: no 7z here")
	}
	dir := t.TempDir()
	out, err := exec.Command("7z", "x", "-phidden names passphrase", "-o"+dir, file).CombinedOutput()
	require.NoError(t, err, string(out))
	out, err = exec.Command("sh", "-c", `cd "$1" && tar xf netbird-prod-20261129T030000Z.tar && sha256sum -c SHA256SUMS`, "sh", dir).CombinedOutput()
	require.NoError(t, err, string(out))
	require.Contains(t, string(out), "data/management.json: OK")
}
