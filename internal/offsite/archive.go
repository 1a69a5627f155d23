package offsite

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Sources expands OFFSITE_PATHS or OFFSITE_DB_PATHS: an entry with a
// wildcard becomes its sorted matches (none is an error), and every path
// must exist.
func Sources(variable string, entries []string) ([]string, error) {
	var out, missing []string
	for _, e := range entries {
		if strings.ContainsAny(e, "*?[") {
			m, err := filepath.Glob(e)
			if err != nil || len(m) == 0 {
				return nil, fmt.Errorf("%s entry '%s' matched nothing", variable, e)
			}
			sort.Strings(m)
			out = append(out, m...)
			continue
		}
		if _, err := os.Lstat(e); err != nil {
			missing = append(missing, e)
			continue
		}
		out = append(out, e)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: configured but not present inside the container: %s", variable, strings.Join(missing, ", "))
	}
	return out, nil
}

// Base is OFFSITE_BASE_DIR, or the common parent of every path (its parent
// when the common path is one of the paths), so names in the archive are
// short and restore under one directory.
func Base(configured string, paths []string) (string, error) {
	base := strings.TrimRight(configured, "/")
	if configured != "" && base == "" {
		base = "/"
	}
	if base == "" {
		base = filepath.Clean(paths[0])
		for _, p := range paths[1:] {
			for !within(base, filepath.Clean(p)) {
				base = filepath.Dir(base)
			}
		}
		if slices.Contains(paths, base) || slices.Contains(paths, base+"/") {
			base = filepath.Dir(base)
		}
	}
	for _, p := range paths {
		if !within(base, filepath.Clean(p)) || filepath.Clean(p) == base {
			return "", fmt.Errorf("%s is outside OFFSITE_BASE_DIR=%s", p, base)
		}
	}
	return base, nil
}

func within(base, p string) bool {
	if base == "/" {
		return strings.HasPrefix(p, "/")
	}
	return p == base || strings.HasPrefix(p, base+"/")
}

// excluded: a pattern matches the file's name or its path in the archive,
// as tar's --exclude does.
func excluded(patterns []string, rel string) bool {
	for _, p := range patterns {
		if ok, _ := filepath.Match(p, filepath.Base(rel)); ok {
			return true
		}
		if ok, _ := filepath.Match(p, rel); ok {
			return true
		}
	}
	return false
}

// entry is what goes into the archive: a path under base, or a snapshot
// file stored under the name of the database it was taken from.
type entry struct {
	src, name string
}

// writeArchive writes a tar.gz of the entries to w and counts its members.
// Directories are walked; the live SQLite databases and their -wal, -shm
// and -journal files are left out (skip): their snapshots are entries of
// their own. Files that vanish while the walk runs are skipped.
func writeArchive(w io.Writer, entries []entry, exclude []string, skip map[string]bool) (int, error) {
	gz, _ := gzip.NewWriterLevel(w, 6)
	tw := tar.NewWriter(gz)
	members := 0
	add := func(src, name string, fi fs.FileInfo) error {
		link := ""
		if fi.Mode()&fs.ModeSymlink != 0 {
			var err error
			if link, err = os.Readlink(src); err != nil {
				return err
			}
		}
		h, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return err
		}
		h.Name = name
		if fi.IsDir() {
			h.Name += "/"
		}
		h.Uname, h.Gname = "", ""
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		members++
		if !fi.Mode().IsRegular() {
			return nil
		}
		f, err := os.Open(src)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := io.CopyN(tw, f, h.Size); err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
		return nil
	}
	for _, e := range entries {
		err := filepath.WalkDir(e.src, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) && p != e.src {
					return nil
				}
				return err
			}
			rel := filepath.ToSlash(filepath.Join(e.name, strings.TrimPrefix(p, e.src)))
			if excluded(exclude, rel) || skip[p] {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			fi, err := d.Info()
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil {
				return err
			}
			return add(p, rel, fi)
		})
		if err != nil {
			return members, fmt.Errorf("archive %s: %w", e.src, err)
		}
	}
	if err := tw.Close(); err != nil {
		return members, err
	}
	return members, gz.Close()
}

// listArchive reads a tar.gz through and counts its members: an archive
// that does not list cleanly is no backup.
func listArchive(r io.Reader) (int, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return 0, err
	}
	tr := tar.NewReader(gz)
	n := 0
	for {
		_, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
		if _, err := io.Copy(io.Discard, tr); err != nil {
			return n, err
		}
	}
}
