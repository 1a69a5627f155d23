package archive

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"filippo.io/age"
)

// TarWriter writes the entries as a tar, ending with SHA256SUMS, into
// what encrypts them: age (NewAgeWriter) or one entry of an AES zip
// (NewHiddenWriter). Either way the file names are encrypted too.
type TarWriter struct {
	tw     *tar.Writer
	finish []func() error // run in order after the tar ends
	sums   []string
	names  map[string]bool
	buf    []byte
}

// NewAgeWriter starts a tar.gz encrypted with age (filippo.io/age) on w,
// readable by any of the recipients: the stock
// `age -d -i key.txt FILE | tar xz` restores it.
func NewAgeWriter(w io.Writer, recipients ...age.Recipient) (*TarWriter, error) {
	enc, err := age.Encrypt(w, recipients...)
	if err != nil {
		return nil, fmt.Errorf("age: %w", err)
	}
	gz, _ := gzip.NewWriterLevel(enc, 6)
	return &TarWriter{tw: tar.NewWriter(gz), finish: []func() error{gz.Close, enc.Close}, names: map[string]bool{}, buf: make([]byte, 256<<10)}, nil
}

func (a *TarWriter) check(name string) error { return claim(a.names, name) }

// AddDir records a directory.
func (a *TarWriter) AddDir(name string, mode fs.FileMode, mtime time.Time) error {
	name = strings.TrimSuffix(name, "/") + "/"
	if err := a.check(name); err != nil {
		return err
	}
	return a.tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: int64(mode.Perm()), ModTime: mtime, Format: tar.FormatPAX})
}

// Add streams r into the entry name. A tar header needs the size first:
// it is taken from r (a file, a bytes or strings reader), else r is
// spooled to a temporary file.
func (a *TarWriter) Add(name string, r io.Reader, mode fs.FileMode, mtime time.Time) (int64, error) {
	if err := a.check(name); err != nil {
		return 0, err
	}
	size, ok := sizeOf(r)
	if !ok {
		tmp, err := os.CreateTemp("", "birdseye-entry-*")
		if err != nil {
			return 0, err
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		if size, err = io.CopyBuffer(tmp, r, a.buf); err != nil {
			return 0, fmt.Errorf("archive %s: %w", name, err)
		}
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return 0, err
		}
		r = tmp
	}
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: int64(mode.Perm()), ModTime: mtime, Format: tar.FormatPAX}
	if err := a.tw.WriteHeader(hdr); err != nil {
		return 0, fmt.Errorf("archive %s: %w", name, err)
	}
	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(a.tw, h), io.LimitReader(r, size), a.buf)
	if err == nil && n != size {
		err = fmt.Errorf("it shrank from %d to %d bytes while it was read", size, n)
	}
	if err != nil {
		return n, fmt.Errorf("archive %s: %w", name, err)
	}
	a.sums = append(a.sums, hex.EncodeToString(h.Sum(nil))+"  "+name)
	return n, nil
}

func sizeOf(r io.Reader) (int64, bool) {
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len()), true
	case *os.File:
		fi, err := v.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return 0, false
		}
		pos, err := v.Seek(0, io.SeekCurrent)
		if err != nil {
			return 0, false
		}
		return fi.Size() - pos, true
	}
	return 0, false
}

// AddFile archives the file at src as name, with its mode and time.
func (a *TarWriter) AddFile(name, src string) (int64, error) { return addFile(a.Add, name, src) }

// Close writes SHA256SUMS and ends the tar and what holds it.
func (a *TarWriter) Close() error {
	if _, err := a.Add(SumsName, sumsBody(a.sums), 0o644, time.Now()); err != nil {
		return err
	}
	if err := a.tw.Close(); err != nil {
		return err
	}
	for _, f := range a.finish {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

// ErrNoIdentity is an age archive that none of the identities opens.
var ErrNoIdentity = errors.New("no identity or passphrase given opens this archive")

// EachAge decrypts an age archive and calls fn for every file in it, in
// order, and then checks every file against SHA256SUMS.
func EachAge(file string, identities []age.Identity, fn func(name string, r io.Reader) error) ([]Entry, error) {
	return walkAge(file, identities, func(h *tar.Header, r io.Reader) error {
		if fn == nil || h.Typeflag == tar.TypeDir {
			return nil
		}
		return fn(h.Name, r)
	})
}

// walkAge decrypts and unzips an age archive and walks its tar.
func walkAge(file string, identities []age.Identity, fn func(h *tar.Header, r io.Reader) error) ([]Entry, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec, err := age.Decrypt(bufio.NewReaderSize(f, 256<<10), identities...)
	if err != nil {
		var none *age.NoIdentityMatchError
		if errors.As(err, &none) {
			return nil, fmt.Errorf("%s: %w", file, ErrNoIdentity)
		}
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	gz, err := gzip.NewReader(dec)
	if err != nil {
		return nil, fmt.Errorf("%s: not a tar.gz inside: %w", file, err)
	}
	return walkTar(file, gz, fn)
}

// walkTar reads a tar, calling fn for each entry but SHA256SUMS, and checks
// every file against SHA256SUMS at the end.
func walkTar(file string, r io.Reader, fn func(h *tar.Header, r io.Reader) error) ([]Entry, error) {
	tr := tar.NewReader(r)
	var entries []Entry
	got := map[string]string{}
	var sums string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return entries, fmt.Errorf("%s: %w", file, err)
		}
		if err := judge(h.Name, h.FileInfo().Mode()); err != nil {
			return entries, err
		}
		if h.Typeflag == tar.TypeDir {
			entries = append(entries, Entry{Name: h.Name, Dir: true, Mode: fs.FileMode(h.Mode).Perm() | fs.ModeDir})
			if err := fn(h, nil); err != nil {
				return entries, err
			}
			continue
		}
		hash := sha256.New()
		r := io.TeeReader(tr, hash)
		if h.Name == SumsName {
			b, err := io.ReadAll(r)
			if err != nil {
				return entries, err
			}
			sums = string(b)
			continue
		}
		if err := fn(h, r); err != nil {
			return entries, err
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			return entries, fmt.Errorf("%s: %s: %w", file, h.Name, err)
		}
		sum := hex.EncodeToString(hash.Sum(nil))
		got[h.Name] = sum
		entries = append(entries, Entry{Name: h.Name, Size: h.Size, SHA256: sum, Mode: fs.FileMode(h.Mode).Perm()})
	}
	if sums == "" {
		return entries, fmt.Errorf("%s: no %s in the archive", file, SumsName)
	}
	listed := 0
	for _, line := range strings.Split(strings.TrimSpace(sums), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			continue
		}
		listed++
		if got[name] != sum {
			return entries, fmt.Errorf("%s: %s does not match its checksum", file, name)
		}
	}
	if listed != len(got) {
		return entries, fmt.Errorf("%s: %d files, %d checksums", file, len(got), listed)
	}
	return entries, nil
}
