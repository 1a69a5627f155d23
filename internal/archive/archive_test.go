package archive

import (
	"bytes"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/yeka/zip"
)

const password = "correct horse battery staple"

func writeArchive(t *testing.T) (string, map[string][]byte) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "a.zip")
	f, err := os.Create(file)
	require.NoError(t, err)
	blob := make([]byte, 300_000)
	rand.Read(blob)
	files := map[string][]byte{
		"management/management.json": []byte(`{"DataStoreEncryptionKey":"k"}`),
		"management/blob.bin":        blob,
		"management/ünïcødé.txt":     []byte("names in UTF-8\n"),
	}
	w := NewWriter(f, password)
	mtime := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	require.NoError(t, w.AddDir("management", 0o750, mtime))
	require.NoError(t, w.AddDir("management/empty", 0o700, mtime))
	for _, name := range []string{"management/management.json", "management/blob.bin", "management/ünïcødé.txt"} {
		_, err := w.Add(name, bytes.NewReader(files[name]), 0o600, mtime)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	require.NoError(t, f.Close())
	return file, files
}

func TestVerifyAndExtractRoundTrip(t *testing.T) {
	file, files := writeArchive(t)
	entries, err := Verify(file, password)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name)
	}
	require.ElementsMatch(t, []string{"management/", "management/empty/", "management/management.json", "management/blob.bin", "management/ünïcødé.txt"}, names)

	out := t.TempDir()
	_, err = Extract(file, password, out)
	require.NoError(t, err)
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(out, name))
		require.NoError(t, err)
		require.Equal(t, want, got, name)
		fi, _ := os.Stat(filepath.Join(out, name))
		require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
		require.Equal(t, time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC), fi.ModTime().UTC())
	}
	fi, err := os.Stat(filepath.Join(out, "management/empty"))
	require.NoError(t, err)
	require.True(t, fi.IsDir())
}

func TestTheWrongPasswordFails(t *testing.T) {
	file, _ := writeArchive(t)
	_, err := Verify(file, "not the password")
	require.ErrorIs(t, err, ErrWrongPassword)
	_, err = Extract(file, "not the password", t.TempDir())
	require.ErrorIs(t, err, ErrWrongPassword)
}

func TestExtractRefusesPathsThatEscape(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "evil.zip")
	f, _ := os.Create(file)
	zw := zip.NewWriter(f)
	w, err := zw.Encrypt("../outside.txt", password, zip.AES256Encryption)
	require.NoError(t, err)
	w.Write([]byte("x"))
	require.NoError(t, zw.Close())
	f.Close()
	out := filepath.Join(dir, "out")
	_, err = Extract(file, password, out)
	require.ErrorContains(t, err, `refusing entry "../outside.txt": it would be written outside`)
	_, statErr := os.Stat(filepath.Join(dir, "outside.txt"))
	require.True(t, os.IsNotExist(statErr))
}

func TestATamperedChecksumListIsCaught(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "t.zip")
	f, _ := os.Create(file)
	w := NewWriter(f, password)
	_, err := w.Add("a.txt", strings.NewReader("hello"), 0o600, time.Now())
	require.NoError(t, err)
	w.sums[0] = strings.Repeat("0", 64) + "  a.txt" // as if the content changed after listing
	require.NoError(t, w.Close())
	f.Close()
	_, err = Verify(file, password)
	require.ErrorContains(t, err, "entry a.txt does not match its checksum in SHA256SUMS")
}

// The archives open with the real 7-Zip (installed by .ci/run).
func TestSevenZipOpensTheArchive(t *testing.T) {
	sz, err := exec.LookPath("7z")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("7z is missing in CI: .ci/run should install p7zip-full")
		}
		t.Skip("skipped: 7z is not installed (apt-get install p7zip-full)")
	}
	file, files := writeArchive(t)
	out := t.TempDir()
	res, err := exec.Command(sz, "x", "-y", "-p"+password, "-o"+out, file).CombinedOutput()
	require.NoError(t, err, "%s", res)
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(out, name))
		require.NoError(t, err, name)
		require.Equal(t, want, got, name)
	}
	cmd := exec.Command("sha256sum", "-c", SumsName)
	cmd.Dir = out
	res, err = cmd.CombinedOutput()
	require.NoError(t, err, "sha256sum -c after a 7-Zip restore: %s", res)

	res, err = exec.Command(sz, "x", "-y", "-pwrong-password", "-o"+t.TempDir(), file).CombinedOutput()
	require.Error(t, err)
	require.Contains(t, string(res), "Wrong password")
}

// A crafted archive with a symbolic link is refused whole, naming the link:
// never written as a file (it was once written as a 0777 regular file
// holding the link's target) nor as a link a later entry could write
// through, and the good entry beside it is not written either.
func TestExtractRefusesLinkEntriesAndSaysSo(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "links.zip")
	f, _ := os.Create(file)
	zw := zip.NewWriter(f)
	h := &zip.FileHeader{Name: "data/escape", Method: zip.Store}
	h.SetMode(os.ModeSymlink | 0o777)
	w, err := zw.CreateHeader(h)
	require.NoError(t, err)
	w.Write([]byte("/etc"))
	w, err = zw.Create("data/ok.txt")
	require.NoError(t, err)
	w.Write([]byte("fine"))
	require.NoError(t, zw.Close())
	f.Close()

	out := filepath.Join(dir, "out")
	got, err := Extract(file, "", out)
	require.EqualError(t, err, `refusing entry "data/escape": a symbolic link; birdseye's archives hold only files and directories`)
	require.Empty(t, got.Files)
	_, err = os.Lstat(filepath.Join(out, "data", "escape"))
	require.True(t, os.IsNotExist(err), "nothing written for the link")
	require.NoFileExists(t, filepath.Join(out, "data", "ok.txt"))
}

// An archive bigger than the free space is refused before anything is
// written (a 64 KiB tmpfs here), instead of filling the disk.
func TestExtractRefusesAnArchiveThatDoesNotFit(t *testing.T) {
	out := t.TempDir()
	if res, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", out).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, res)
	}
	t.Cleanup(func() { exec.Command("umount", out).Run() })
	file, _ := writeArchive(t) // holds 300 KB
	_, err := Extract(file, password, out)
	require.ErrorContains(t, err, "the archive unpacks to 0.3 MB but "+out+" has")
	entries, _ := os.ReadDir(out)
	require.Empty(t, entries)
}
