// Package backup makes the weekly backups: an encrypted archive of
// NetBird's volumes in which every live SQLite database is a consistent
// snapshot taken through SQLite itself.
package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/styliteag/birdseye/internal/archive"

	"github.com/styliteag/birdseye/internal/sqlitefile"
)

// Options of a volume backup.
type Options struct {
	Paths    []string // BACKUP_PATHS entries; wildcards allowed
	Exclude  []string // BACKUP_EXCLUDE: wildcards on names, case-insensitive
	Label    string   // BACKUP_LABEL; empty = "backup"
	Password string
	OutDir   string // where the archive is written
	TempDir  string // where SQLite snapshots are staged; empty = os.TempDir()
	// Age writes a tar.gz encrypted with age instead of an AES zip: to
	// Recipients, or with Password as an scrypt passphrase when there are
	// none (BACKUP_ENCRYPTION=age).
	Age        bool
	Recipients []age.Recipient
	// HideNames puts a zip's files in one inner tar, so that the names are
	// encrypted too (BACKUP_ZIP_HIDE_NAMES).
	HideNames bool
	// Dumps, when set, are the databases that go in beside the files
	// (BACKUP_POSTGRES): asked for when the backup starts.
	Dumps func(ctx context.Context) ([]Dump, error)
}

// Ext is the archive's file extension: .zip, or .tar.gz.age.
func (o Options) Ext() string {
	if o.Age {
		return ".tar.gz.age"
	}
	return ".zip"
}

// packer is what an archive format takes: the AES zip or the age tar.gz.
type packer interface {
	AddDir(name string, mode fs.FileMode, mtime time.Time) error
	Add(name string, r io.Reader, mode fs.FileMode, mtime time.Time) (int64, error)
	AddFile(name, src string) (int64, error)
	Close() error
}

func (o Options) newPacker(w io.Writer, name string) (packer, error) {
	if !o.Age {
		if o.HideNames {
			return archive.NewHiddenWriter(w, o.Password, strings.TrimSuffix(filepath.Base(name), ".zip")+".tar")
		}
		return archive.NewWriter(w, o.Password), nil
	}
	recipients := o.Recipients
	if len(recipients) == 0 {
		r, err := age.NewScryptRecipient(o.Password)
		if err != nil {
			return nil, err
		}
		recipients = []age.Recipient{r}
	}
	return archive.NewAgeWriter(w, recipients...)
}

// Report says what went into an archive.
type Report struct {
	File      string
	Size      int64
	Files     int
	Bytes     int64
	Snapshots []string // archive names of SQLite databases snapshotted
	Dumps     []string // database dumps (name and size)
	Warnings  []string
}

// ArchiveName is netbird-<label>-<YYYYMMDDTHHMMSSZ><ext>.
func ArchiveName(prefix, label string, now time.Time, ext string) string {
	if label == "" {
		label = map[string]string{"netbird": "backup", "netbirdexport": "export"}[prefix]
	}
	return fmt.Sprintf("%s-%s-%s%s", prefix, label, now.UTC().Format("20060102T150405Z"), ext)
}

// PathsError is a BACKUP_PATHS that cannot be archived as it stands: a
// configuration problem, not a failed backup.
type PathsError struct{ Msg string }

func (e *PathsError) Error() string { return "BACKUP_PATHS " + e.Msg }

// Sources resolves BACKUP_PATHS: each entry must match something, and no
// two may end in the same name (they would collide in the archive).
func Sources(paths []string) ([]string, error) {
	var out []string
	seen := map[string]string{}
	for _, p := range paths {
		matches, err := filepath.Glob(p)
		if err != nil {
			return nil, &PathsError{fmt.Sprintf("entry %q is not a valid pattern: %v", p, err)}
		}
		if len(matches) == 0 {
			return nil, &PathsError{fmt.Sprintf("entry %q matches nothing", p)}
		}
		for _, m := range matches {
			base := filepath.Base(m)
			if prev, dup := seen[base]; dup {
				return nil, &PathsError{fmt.Sprintf("entries %s and %s both end in %q and would collide in the archive", prev, m, base)}
			}
			seen[base] = m
			out = append(out, m)
		}
	}
	return out, nil
}

func excluded(patterns []string, name string) bool {
	name = strings.ToLower(name)
	for _, p := range patterns {
		if ok, _ := filepath.Match(strings.ToLower(p), name); ok {
			return true
		}
	}
	return false
}

// Volumes writes the archive of the sources into OutDir, atomically (a
// partial file is renamed only when complete).
func Volumes(ctx context.Context, o Options, now time.Time) (*Report, error) {
	srcs, err := Sources(o.Paths)
	if err != nil {
		return nil, err
	}
	stage, err := os.MkdirTemp(o.TempDir, "birdseye-snapshot-")
	if err != nil {
		return nil, fmt.Errorf("staging directory for SQLite snapshots: %w", err)
	}
	defer os.RemoveAll(stage)
	var dumps []Dump
	if o.Dumps != nil {
		if dumps, err = o.Dumps(ctx); err != nil {
			return nil, err
		}
	}
	r := &Report{File: filepath.Join(o.OutDir, ArchiveName("netbird", o.Label, now, o.Ext()))}
	var seen layout
	size, err := writeArchive(r.File, o, func(w packer) error {
		for _, src := range srcs {
			if err := addSource(ctx, w, src, o.Exclude, stage, r, &seen); err != nil {
				return fmt.Errorf("archive %s: %w", src, err)
			}
		}
		return addDumps(ctx, w, dumps, now, r)
	})
	if err != nil {
		return nil, err
	}
	r.Size = size
	if seen.postgres && len(dumps) == 0 {
		r.Warnings = append(r.Warnings, "NetBird's store is Postgres (per its configuration): this volume backup does not hold NetBird's data; back the database up with pg_dump, or set BACKUP_POSTGRES (the API export still records the configuration)")
	}
	if seen.store && !seen.key {
		r.Warnings = append(r.Warnings, "the backup has store.db but no store encryption key (DataStoreEncryptionKey in management.json, or the key in config.yaml): NetBird encrypts users' names and e-mails in store.db and deleted users' in events.db with it, so a restore without it loses them; add the file that holds the key to BACKUP_PATHS")
	}
	return r, nil
}

// walked is called for every path the walk reaches; tests use it to change
// the tree under the walk at a known moment.
var walked = func(string) {}

// layout is what a backup learns about the NetBird deployment it archives.
type layout struct {
	store    bool // a store.db
	key      bool // the store encryption key in its configuration
	postgres bool // a configuration naming a Postgres store
}

// addSource archives one source directory (or file) under its own name.
func addSource(ctx context.Context, w packer, src string, exclude []string, stage string, r *Report, seen *layout) error {
	parent := filepath.Dir(src)
	// A live volume changes while it is walked. A file that is gone by the
	// time it is read is not an error: SQLite removes its -wal, -shm and
	// -journal files as it pleases (they are folded into the snapshot
	// anyway), and any other file is named in a warning and skipped.
	vanished := func(path string, err error) bool {
		if path == src || !errors.Is(err, fs.ErrNotExist) {
			return false
		}
		if !hasSidecarSuffix(path) {
			r.Warnings = append(r.Warnings, fmt.Sprintf("%s vanished during the backup; not archived", path))
		}
		return true
	}
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		walked(path)
		if err != nil {
			if vanished(path, err) {
				return nil
			}
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rel, _ := filepath.Rel(parent, path)
		name := filepath.ToSlash(rel)
		if path != src && excluded(exclude, d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			if vanished(path, err) {
				return nil
			}
			return err
		}
		switch {
		case d.IsDir():
			return w.AddDir(name, info.Mode().Perm(), info.ModTime())
		case !info.Mode().IsRegular():
			r.Warnings = append(r.Warnings, fmt.Sprintf("%s is not a regular file; not archived", path))
			return nil
		case isSidecar(path):
			return nil // folded into the snapshot of its database
		}
		seen.store = seen.store || d.Name() == "store.db"
		seen.key = seen.key || hasEncryptionKey(path, d.Name())
		seen.postgres = seen.postgres || usesPostgres(path, d.Name())
		if !sqlitefile.IsSQLite(path) {
			n, err := w.AddFile(name, path)
			if err != nil && vanished(path, err) {
				return nil
			}
			r.Files++
			r.Bytes += n
			return err
		}
		snap := filepath.Join(stage, fmt.Sprintf("%d.db", len(r.Snapshots)))
		defer os.Remove(snap)
		if err := sqlitefile.Snapshot(path, snap); err != nil {
			return err
		}
		sf, err := os.Open(snap)
		if err != nil {
			return err
		}
		defer sf.Close()
		n, err := w.Add(name, sf, info.Mode().Perm(), info.ModTime())
		if err != nil {
			return err
		}
		r.Snapshots = append(r.Snapshots, name)
		r.Files++
		r.Bytes += n
		return nil
	})
}

// WriteError is a failure to write the archive file itself (a full or
// read-only BACKUP_DIR), as opposed to reading what goes into it.
type WriteError struct{ Err error }

func (e *WriteError) Error() string { return e.Err.Error() }
func (e *WriteError) Unwrap() error { return e.Err }

// countingFile remembers the first error writing to the archive file, so a
// failure inside the packer is told apart from a source that cannot be read.
type countingFile struct {
	f   *os.File
	err error
}

func (c *countingFile) Write(p []byte) (int, error) {
	n, err := c.f.Write(p)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}

// writeArchive writes an archive at path through fill, atomically: a
// partial file, synced, renamed only when complete. It returns the size.
// A failure of the file itself is a *WriteError.
func writeArchive(path string, o Options, fill func(packer) error) (int64, error) {
	partial := path + ".partial"
	f, err := os.OpenFile(partial, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, &WriteError{fmt.Errorf("create archive: %w", err)}
	}
	defer os.Remove(partial)
	out := &countingFile{f: f}
	fail := func(err error) (int64, error) {
		f.Close()
		if out.err != nil {
			return 0, &WriteError{fmt.Errorf("write %s: %w", partial, out.err)}
		}
		return 0, err
	}
	w, err := o.newPacker(out, path)
	if err != nil {
		return fail(err)
	}
	if err := fill(w); err != nil {
		return fail(err)
	}
	if err := w.Close(); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return 0, &WriteError{fmt.Errorf("sync %s: %w", partial, err)}
	}
	if err := f.Close(); err != nil {
		return 0, &WriteError{fmt.Errorf("close %s: %w", partial, err)}
	}
	if err := os.Rename(partial, path); err != nil {
		return 0, &WriteError{err}
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// isSidecar: SQLite's -wal/-shm/-journal files belong to the snapshot of
// their database; a stale one next to a restored snapshot would corrupt it.
func isSidecar(path string) bool {
	for _, suffix := range sidecarSuffixes {
		if strings.HasSuffix(path, suffix) && sqlitefile.IsSQLite(strings.TrimSuffix(path, suffix)) {
			return true
		}
	}
	return false
}

var sidecarSuffixes = []string{"-wal", "-shm", "-journal"}

// hasSidecarSuffix: named like a sidecar, whether or not its database is
// still there to tell.
func hasSidecarSuffix(path string) bool {
	return slices.ContainsFunc(sidecarSuffixes, func(s string) bool { return strings.HasSuffix(path, s) })
}

// usesPostgres reads NetBird's configuration for a Postgres store engine
// (StoreConfig.Engine in management.json, the store engine in config.yaml).
func usesPostgres(path, name string) bool {
	if !slices.Contains([]string{"management.json", "config.yaml", "config.yml"}, name) {
		return false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	for _, line := range strings.Split(strings.ToLower(string(b)), "\n") {
		if strings.Contains(line, "engine") && strings.Contains(line, "postgres") {
			return true
		}
	}
	return false
}

func hasEncryptionKey(path, name string) bool {
	if !slices.Contains([]string{"management.json", "config.yaml", "config.yml"}, name) {
		return false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	s := string(b)
	return strings.Contains(s, "DataStoreEncryptionKey") || strings.Contains(strings.ToLower(s), "encryptionkey")
}
