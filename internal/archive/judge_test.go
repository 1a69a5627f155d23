package archive

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/yeka/zip"
)

// hostileZip is an archive as birdseye's would look (encrypted, every
// entry in SHA256SUMS) with one hostile entry that its writer would refuse
// to add, so it is written by hand.
func hostileZip(t *testing.T, name string, mode fs.FileMode) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "hostile.zip")
	f, err := os.Create(file)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	var sums []string
	for _, e := range []struct {
		name, body string
		mode       fs.FileMode
	}{{"management/ok.txt", "fine", 0o600}, {name, "/etc", mode}, {SumsName, "", 0o644}} {
		if e.name == SumsName {
			e.body = strings.Join(sums, "\n") + "\n"
		}
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		h.SetMode(e.mode)
		h.SetPassword(password)
		h.SetEncryptionMethod(zip.AES256Encryption)
		w, err := zw.CreateHeader(h)
		require.NoError(t, err)
		w.Write([]byte(e.body))
		s := sha256.Sum256([]byte(e.body))
		sums = append(sums, hex.EncodeToString(s[:])+"  "+e.name)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
	return file
}

// check (Verify) and extract give one judgement: what extract refuses,
// check does not call restorable, with the same words; and extract writes
// nothing at all, not even the good entries before it.
func TestCheckAndExtractRefuseTheSameEntries(t *testing.T) {
	for _, c := range []struct {
		name string
		mode fs.FileMode
		want string
	}{
		{"../outside.txt", 0o600, `refusing entry "../outside.txt": it would be written outside the directory extracted into`},
		{"/etc/cron.d/x", 0o600, `refusing entry "/etc/cron.d/x": it would be written outside the directory extracted into`},
		{"management/a/../../x", 0o600, `refusing entry "management/a/../../x": it would be written outside the directory extracted into`},
		{"management/escape", fs.ModeSymlink | 0o777, `refusing entry "management/escape": a symbolic link; birdseye's archives hold only files and directories`},
	} {
		file := hostileZip(t, c.name, c.mode)
		_, err := Verify(file, password)
		require.EqualError(t, err, c.want, c.name)
		out := filepath.Join(t.TempDir(), "out")
		_, err = Extract(file, password, out)
		require.EqualError(t, err, c.want, c.name)
		left, _ := os.ReadDir(out)
		require.Empty(t, left, "%s: nothing is written from an archive that is refused", c.name)
	}
}

// rawTar is a tar stream with SHA256SUMS listing every file, as birdseye's
// age and hidden-name archives hold.
func rawTar(t *testing.T, entries []tar.Header, bodies []string, badSum bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	var sums []string
	for i, h := range entries {
		h.Size = int64(len(bodies[i]))
		require.NoError(t, tw.WriteHeader(&h))
		tw.Write([]byte(bodies[i]))
		s := sha256.Sum256([]byte(bodies[i]))
		if badSum {
			s[0] ^= 1
		}
		sums = append(sums, hex.EncodeToString(s[:])+"  "+h.Name)
	}
	body := strings.Join(sums, "\n") + "\n"
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: SumsName, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}))
	tw.Write([]byte(body))
	require.NoError(t, tw.Close())
	return buf.Bytes()
}

func TestTheTarArchivesAreJudgedAlike(t *testing.T) {
	b := rawTar(t, []tar.Header{
		{Name: "management/ok.txt", Mode: 0o600, Typeflag: tar.TypeReg},
		{Name: "management/escape", Mode: 0o777, Typeflag: tar.TypeSymlink, Linkname: "/etc"},
	}, []string{"fine", ""}, false)
	want := `refusing entry "management/escape": a symbolic link; birdseye's archives hold only files and directories`
	_, err := walkTar("t", bytes.NewReader(b), func(*tar.Header, io.Reader) error { return nil })
	require.EqualError(t, err, want)
	out := filepath.Join(t.TempDir(), "out")
	_, err = extractTar(out, func(fn func(h *tar.Header, r io.Reader) error) error {
		_, err := walkTar("t", bytes.NewReader(b), fn)
		return err
	})
	require.EqualError(t, err, want)
	require.NoFileExists(t, filepath.Join(out, "management", "ok.txt"), "the good entry before it is taken back")
}

// An extract that fails after some files were written (here: the checksums,
// read last, do not match) leaves no file under its final name and no
// temporary one either.
func TestAFailedExtractLeavesNothingBehind(t *testing.T) {
	b := rawTar(t, []tar.Header{
		{Name: "management/", Mode: 0o700, Typeflag: tar.TypeDir},
		{Name: "management/store.db", Mode: 0o600, Typeflag: tar.TypeReg},
	}, []string{"", "tables"}, true)
	out := filepath.Join(t.TempDir(), "out")
	require.NoError(t, os.MkdirAll(out, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(out, "mine.txt"), []byte("the operator's"), 0o600))
	_, err := extractTar(out, func(fn func(h *tar.Header, r io.Reader) error) error {
		_, err := walkTar("t", bytes.NewReader(b), fn)
		return err
	})
	require.ErrorContains(t, err, "does not match its checksum")
	var left []string
	filepath.WalkDir(out, func(p string, d fs.DirEntry, _ error) error {
		rel, _ := filepath.Rel(out, p)
		left = append(left, rel)
		return nil
	})
	require.Equal(t, []string{".", "mine.txt"}, left, "what was there before stays; nothing of the failed extract does")

	// The zip side: the second entry does not open with the password.
	file := filepath.Join(t.TempDir(), "two.zip")
	f, _ := os.Create(file)
	zw := zip.NewWriter(f)
	w, _ := zw.Encrypt("management/first.txt", password, zip.AES256Encryption)
	w.Write([]byte("first"))
	w, _ = zw.Encrypt("management/second.txt", "another password", zip.AES256Encryption)
	w.Write([]byte("second"))
	require.NoError(t, zw.Close())
	f.Close()
	_, err = Extract(file, password, out)
	require.ErrorIs(t, err, ErrWrongPassword)
	require.NoFileExists(t, filepath.Join(out, "management", "first.txt"))
	entries, _ := os.ReadDir(out)
	require.Len(t, entries, 1, "only mine.txt")
}
