package archive

import (
	"archive/tar"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
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
// as Extract: names that would land outside dir are refused, special
// entries skipped, an entry larger than the free space refused; and every
// file is checked against SHA256SUMS at the end.
func ExtractAge(file string, identities []age.Identity, dir string) (Extracted, error) {
	return extractTar(dir, func(fn func(h *tar.Header, r io.Reader) error) error {
		_, err := walkAge(file, identities, fn)
		return err
	})
}

// extractTar writes what walk shows it under dir.
func extractTar(dir string, walk func(fn func(h *tar.Header, r io.Reader) error) error) (Extracted, error) {
	var out Extracted
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return out, err
	}
	var dirs []*tar.Header
	err := walk(func(h *tar.Header, r io.Reader) error {
		name := strings.TrimSuffix(h.Name, "/")
		if !filepath.IsLocal(filepath.FromSlash(name)) || path.Clean(name) != name {
			return fmt.Errorf("refusing entry %q: it would be written outside %s", h.Name, dir)
		}
		dst := filepath.Join(dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			dirs = append(dirs, h)
			return os.MkdirAll(dst, 0o700)
		case tar.TypeReg:
		default:
			out.Skipped = append(out.Skipped, fmt.Sprintf("%s: a special entry (tar type %q), not extracted", name, h.Typeflag))
			return nil
		}
		if free, ok := freeSpace(dir); ok && uint64(h.Size) > free {
			return fmt.Errorf("%s is %s but %s has %s free; make room or extract elsewhere", name, bytesText(uint64(h.Size)), dir, bytesText(free))
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return err
		}
		f, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		w := bufio.NewWriter(f)
		if _, err := io.Copy(w, r); err != nil {
			f.Close()
			return err
		}
		if err := errors.Join(w.Flush(), f.Close()); err != nil {
			return err
		}
		os.Chmod(dst, fs.FileMode(h.Mode).Perm())
		os.Chtimes(dst, h.ModTime, h.ModTime)
		out.Files = append(out.Files, name)
		return nil
	})
	for _, h := range dirs {
		dst := filepath.Join(dir, filepath.FromSlash(strings.TrimSuffix(h.Name, "/")))
		os.Chmod(dst, fs.FileMode(h.Mode).Perm())
		os.Chtimes(dst, h.ModTime, h.ModTime)
	}
	return out, err
}
