package clone

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func payload(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "db"), 0o700))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "files"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "db", "store.db"), []byte("sqlite bytes"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "files", "management json"), []byte(`{"a":1}`), 0o600))
	return dir
}

func TestManifestListsEveryFileAndSha256sumAcceptsIt(t *testing.T) {
	dir := payload(t)
	m := &Manifest{Primary: "nb.example.com", Targets: map[string]string{"hot": "/srv/nb"}}
	require.NoError(t, WriteManifest(dir, m))
	sum := sha256.Sum256([]byte("sqlite bytes"))
	require.Equal(t, FileSum{SHA256: hex.EncodeToString(sum[:]), Bytes: 12}, m.Files["db/store.db"])
	require.Len(t, m.Files, 2)
	got, problems, err := VerifyManifest(dir)
	require.NoError(t, err)
	require.Empty(t, problems)
	require.Equal(t, "nb.example.com", got.Primary)

	sha256sum, err := exec.LookPath("sha256sum")
	if err != nil {
		t.Skip("coreutils sha256sum is not installed")
	}
	cmd := exec.Command(sha256sum, "--quiet", "-c", SumsName)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
}

func TestManifestFindsADamagedAndAMissingFile(t *testing.T) {
	dir := payload(t)
	require.NoError(t, WriteManifest(dir, &Manifest{}))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "db", "store.db"), []byte("sqlite bytez"), 0o600))
	require.NoError(t, os.Remove(filepath.Join(dir, "files", "management json")))
	_, problems, err := VerifyManifest(dir)
	require.NoError(t, err)
	require.Equal(t, []string{"db/store.db: checksum differs", "files/management json: missing"}, problems)

	if sha256sum, err := exec.LookPath("sha256sum"); err == nil {
		cmd := exec.Command(sha256sum, "--quiet", "-c", SumsName)
		cmd.Dir = dir
		require.Error(t, cmd.Run(), "sha256sum -c must refuse the damaged payload too")
	}
}

func TestManifestRefusesANameSha256sumCannotList(t *testing.T) {
	dir := payload(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "files", "bad\nname"), nil, 0o600))
	require.ErrorContains(t, WriteManifest(dir, &Manifest{}), "line break")
}
