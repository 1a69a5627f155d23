// Package archive writes and reads the backups' encrypted archives: zip
// (BACKUP_ENCRYPTION=zip), age (a tar.gz encrypted with age to recipients
// or a passphrase, names hidden too; age.go) and the zip whose names are
// hidden in an inner tar (hidden.go). In the zip every entry is AES-256
// encrypted (WinZip AE-2, which 7-Zip and bsdtar open), names flagged
// UTF-8, modes and times kept, contents streamed so memory stays flat
// whatever the size. The last entry, SHA256SUMS, lists every file's
// checksum in `sha256sum -c` form, which Verify checks. Zip AES encrypts
// contents, not names: the file names in an archive stay readable without
// the password.
package archive

import (
	"archive/tar"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/yeka/zip"
)

// SumsName is the checksum entry written last.
const SumsName = "SHA256SUMS"

// Writer adds entries to an encrypted archive.
type Writer struct {
	zw       *zip.Writer
	password string
	sums     []string
	names    map[string]bool
	buf      []byte
}

// NewWriter starts an archive on w.
func NewWriter(w io.Writer, password string) *Writer {
	return &Writer{zw: zip.NewWriter(w), password: password, names: map[string]bool{}, buf: make([]byte, 256<<10)}
}

// claim takes a name for a new entry: a clean relative path, once.
func claim(names map[string]bool, name string) error {
	if !fs.ValidPath(strings.TrimSuffix(name, "/")) {
		return fmt.Errorf("archive entry %q is not a clean relative path", name)
	}
	if names[name] {
		return fmt.Errorf("archive entry %q would be written twice", name)
	}
	names[name] = true
	return nil
}

func (a *Writer) header(name string, mode fs.FileMode, mtime time.Time) (*zip.FileHeader, error) {
	if err := claim(a.names, name); err != nil {
		return nil, err
	}
	fh := &zip.FileHeader{Name: name, Method: zip.Deflate, Flags: 0x800}
	fh.SetModTime(mtime)
	fh.SetMode(mode)
	fh.SetPassword(a.password)
	fh.SetEncryptionMethod(zip.AES256Encryption)
	return fh, nil
}

// AddDir records a directory (so that empty ones come back too).
func (a *Writer) AddDir(name string, mode fs.FileMode, mtime time.Time) error {
	fh, err := a.header(strings.TrimSuffix(name, "/")+"/", mode|fs.ModeDir, mtime)
	if err != nil {
		return err
	}
	fh.Method = zip.Store
	_, err = a.zw.CreateHeader(fh)
	return err
}

// Add streams r into the entry name and returns the bytes written.
func (a *Writer) Add(name string, r io.Reader, mode fs.FileMode, mtime time.Time) (int64, error) {
	fh, err := a.header(name, mode, mtime)
	if err != nil {
		return 0, err
	}
	w, err := a.zw.CreateHeader(fh)
	if err != nil {
		return 0, fmt.Errorf("archive %s: %w", name, err)
	}
	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(w, h), r, a.buf)
	if err != nil {
		return n, fmt.Errorf("archive %s: %w", name, err)
	}
	a.sums = append(a.sums, hex.EncodeToString(h.Sum(nil))+"  "+name)
	return n, nil
}

// AddFile archives the file at src as name, with its mode and time.
func (a *Writer) AddFile(name, src string) (int64, error) { return addFile(a.Add, name, src) }

// addFile opens src and adds it with its mode and time, for either writer.
func addFile(add func(string, io.Reader, fs.FileMode, time.Time) (int64, error), name, src string) (int64, error) {
	f, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return add(name, f, fi.Mode().Perm(), fi.ModTime())
}

// Close writes SHA256SUMS and the central directory.
func (a *Writer) Close() error {
	if _, err := a.Add(SumsName, sumsBody(a.sums), 0o644, time.Now()); err != nil {
		return err
	}
	return a.zw.Close()
}

// Entry is one file of an archive as Verify found it.
type Entry struct {
	Name   string
	Size   int64
	SHA256 string
	Mode   fs.FileMode
	Dir    bool
}

// ErrWrongPassword is returned when the password does not open an entry.
var ErrWrongPassword = errors.New("wrong password")

// Verify decrypts every entry (AES authentication included), computes its
// checksum and compares it with SHA256SUMS.
func Verify(file, password string) ([]Entry, error) {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", file, err)
	}
	defer zr.Close()
	var out []Entry
	want := map[string]string{}
	sawSums := false
	for _, f := range zr.File {
		if err := judge(f.Name, f.Mode()); err != nil {
			return out, err
		}
		if strings.HasSuffix(f.Name, "/") {
			out = append(out, Entry{Name: f.Name, Dir: true, Mode: f.Mode()})
			continue
		}
		if !f.IsEncrypted() {
			return nil, fmt.Errorf("entry %s is not encrypted", f.Name)
		}
		if f.IsEncrypted() {
			f.SetPassword(password)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, wrapPassword(f.Name, err)
		}
		h := sha256.New()
		n, err := io.Copy(h, rc)
		rc.Close()
		if err != nil {
			return nil, wrapPassword(f.Name, err)
		}
		sum := hex.EncodeToString(h.Sum(nil))
		if f.Name == SumsName {
			sawSums = true
			rc, _ := f.Open()
			sc := bufio.NewScanner(rc)
			for sc.Scan() {
				s, name, ok := strings.Cut(sc.Text(), "  ")
				if ok {
					want[name] = s
				}
			}
			rc.Close()
			continue
		}
		out = append(out, Entry{Name: f.Name, Size: n, SHA256: sum, Mode: f.Mode()})
	}
	if !sawSums {
		return out, fmt.Errorf("%s has no %s entry: not an archive birdseye wrote", file, SumsName)
	}
	for _, e := range out {
		if e.Dir {
			continue
		}
		if want[e.Name] != e.SHA256 {
			return out, fmt.Errorf("entry %s does not match its checksum in %s", e.Name, SumsName)
		}
		delete(want, e.Name)
	}
	for name := range want {
		return out, fmt.Errorf("%s lists %s, which the archive lacks", SumsName, name)
	}
	// A hidden-names zip: the files are inside its tar, with their own sums.
	if inner, ok, err := walkHidden(file, password, func(*tar.Header, io.Reader) error { return nil }); ok {
		return inner, err
	}
	return out, nil
}

func wrapPassword(name string, err error) error {
	if errors.Is(err, zip.ErrPassword) || errors.Is(err, zip.ErrAuthentication) || errors.Is(err, zip.ErrDecryption) {
		return fmt.Errorf("entry %s: %w", name, ErrWrongPassword)
	}
	return fmt.Errorf("entry %s: %w", name, err)
}

// Extracted is what Extract wrote.
type Extracted struct {
	Files []string
}

// Extract writes every file and directory entry under dir and keeps modes
// and times. An archive with an entry judge refuses (a name outside dir, a
// link, a device) is refused whole, before anything is written. It refuses
// to start when the entries would not fit in the free space, and stops an
// entry that inflates beyond its declared size (a zip bomb). Files are
// written under temporary names; on any failure what it created is removed.
func Extract(file, password, dir string) (Extracted, error) {
	if zr, err := zip.OpenReader(file); err == nil {
		isHidden := hidden(zr) != nil
		zr.Close()
		if isHidden {
			return extractTar(dir, func(fn func(h *tar.Header, r io.Reader) error) error {
				_, _, err := walkHidden(file, password, fn)
				return err
			})
		}
	}
	var out Extracted
	zr, err := zip.OpenReader(file)
	if err != nil {
		return out, fmt.Errorf("open %s: %w", file, err)
	}
	defer zr.Close()
	var need uint64
	for _, f := range zr.File {
		if err := judge(f.Name, f.Mode()); err != nil {
			return out, err
		}
		if f.Mode().IsRegular() {
			need += f.UncompressedSize64
		}
	}
	var u undo
	if err := u.mkdirAll(dir); err != nil {
		return out, err
	}
	if free, ok := freeSpace(dir); ok && need > free {
		u.rollback()
		return out, fmt.Errorf("the archive unpacks to %s but %s has %s free; make room or extract elsewhere", bytesText(need), dir, bytesText(free))
	}
	for _, f := range zr.File {
		name := strings.TrimSuffix(f.Name, "/")
		dst := filepath.Join(dir, filepath.FromSlash(name))
		if strings.HasSuffix(f.Name, "/") || f.Mode().IsDir() {
			if err := u.mkdirAll(dst); err != nil {
				u.rollback()
				return Extracted{}, err
			}
			continue
		}
		if err := u.mkdirAll(filepath.Dir(dst)); err != nil {
			u.rollback()
			return Extracted{}, err
		}
		if f.IsEncrypted() {
			f.SetPassword(password)
		}
		if err := u.place(dst, func(w *os.File) error { return extractOne(f, w) }); err != nil {
			u.rollback()
			return Extracted{}, wrapPassword(f.Name, err)
		}
		os.Chmod(dst, f.Mode().Perm())
		os.Chtimes(dst, f.ModTime(), f.ModTime())
		out.Files = append(out.Files, name)
	}
	// Directory times after their contents.
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			dst := filepath.Join(dir, filepath.FromSlash(strings.TrimSuffix(f.Name, "/")))
			os.Chmod(dst, f.Mode().Perm())
			os.Chtimes(dst, f.ModTime(), f.ModTime())
		}
	}
	return out, nil
}

func freeSpace(dir string) (uint64, bool) {
	var st syscall.Statfs_t
	if syscall.Statfs(dir, &st) != nil {
		return 0, false
	}
	return st.Bavail * uint64(st.Bsize), true
}

func bytesText(n uint64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func extractOne(f *zip.File, out *os.File) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	n, err := io.Copy(out, io.LimitReader(rc, int64(f.UncompressedSize64)+1))
	if err == nil && uint64(n) > f.UncompressedSize64 {
		err = fmt.Errorf("inflates beyond its declared %d bytes; refusing it", f.UncompressedSize64)
	}
	return err
}

// Each calls fn with every file entry's decrypted contents, in order.
func Each(file, password string, fn func(name string, r io.Reader) error) error {
	if _, ok, err := walkHidden(file, password, func(h *tar.Header, r io.Reader) error {
		if h.Typeflag == tar.TypeDir {
			return nil
		}
		return fn(h.Name, r)
	}); ok {
		return err
	}
	zr, err := zip.OpenReader(file)
	if err != nil {
		return fmt.Errorf("open %s: %w", file, err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		if f.IsEncrypted() {
			f.SetPassword(password)
		}
		rc, err := f.Open()
		if err != nil {
			return wrapPassword(f.Name, err)
		}
		err = fn(f.Name, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// sumsBody is the SHA256SUMS member: the lines sorted, each ended by a
// newline, as sha256sum writes them.
func sumsBody(lines []string) io.Reader {
	sort.Strings(lines)
	body := strings.Join(lines, "\n")
	if body != "" {
		body += "\n"
	}
	return strings.NewReader(body)
}
