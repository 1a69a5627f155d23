package archive

import (
	"archive/tar"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"filippo.io/age/agessh"
)

// ageHeader starts every age file.
const ageHeader = "age-encryption.org/v1\n"

// IsAge reports whether file is an age archive (by its first bytes).
func IsAge(file string) bool {
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(ageHeader))
	n, _ := io.ReadFull(f, head)
	return string(head[:n]) == ageHeader
}

// ParseIdentityFile reads an age key file (age-keygen's) or an SSH private
// key without a passphrase.
func ParseIdentityFile(file string) ([]age.Identity, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if ids, err := age.ParseIdentities(bytes.NewReader(b)); err == nil {
		return ids, nil
	}
	id, err := agessh.ParseIdentity(b)
	if err != nil {
		return nil, fmt.Errorf("%s is neither an age key file nor an SSH private key without a passphrase", file)
	}
	return []age.Identity{id}, nil
}

// ExtractAge writes an age archive's entries under dir with the same care
// as Extract: an entry judge refuses stops it, an entry larger than the
// free space too, and every file is checked against SHA256SUMS at the end;
// on any failure what it wrote is removed.
func ExtractAge(file string, identities []age.Identity, dir string) (Extracted, error) {
	return extractTar(dir, func(fn func(h *tar.Header, r io.Reader) error) error {
		_, err := walkAge(file, identities, fn)
		return err
	})
}

// extractTar writes what walk shows it under dir. The tar is read once, as
// a stream: its entries are judged (in walkTar) and its checksums known only
// as they come, so a failure takes back what was written before it.
func extractTar(dir string, walk func(fn func(h *tar.Header, r io.Reader) error) error) (Extracted, error) {
	var out Extracted
	var u undo
	if err := u.mkdirAll(dir); err != nil {
		return out, err
	}
	var dirs []*tar.Header
	err := walk(func(h *tar.Header, r io.Reader) error {
		name := strings.TrimSuffix(h.Name, "/")
		dst := filepath.Join(dir, filepath.FromSlash(name))
		if h.Typeflag == tar.TypeDir {
			dirs = append(dirs, h)
			return u.mkdirAll(dst)
		}
		if free, ok := freeSpace(dir); ok && uint64(h.Size) > free {
			return fmt.Errorf("%s is %s but %s has %s free; make room or extract elsewhere", name, bytesText(uint64(h.Size)), dir, bytesText(free))
		}
		if err := u.mkdirAll(filepath.Dir(dst)); err != nil {
			return err
		}
		err := u.place(dst, func(f *os.File) error {
			w := bufio.NewWriter(f)
			if _, err := io.Copy(w, r); err != nil {
				return err
			}
			return w.Flush()
		})
		if err != nil {
			return err
		}
		os.Chmod(dst, fs.FileMode(h.Mode).Perm())
		os.Chtimes(dst, h.ModTime, h.ModTime)
		out.Files = append(out.Files, name)
		return nil
	})
	if err != nil {
		u.rollback()
		return Extracted{}, err
	}
	for _, h := range dirs {
		dst := filepath.Join(dir, filepath.FromSlash(strings.TrimSuffix(h.Name, "/")))
		os.Chmod(dst, fs.FileMode(h.Mode).Perm())
		os.Chtimes(dst, h.ModTime, h.ModTime)
	}
	return out, nil
}
