// Package offsite is `birdseye backup offsite` (the Python tool's
// backup_offsite.py, CRON_BACKUP_OFFSITE): a tar.gz of NetBird's
// configuration, its SQLite databases as consistent snapshots, streamed over
// SFTP to another host under a temporary name, read back there (checksum
// and a clean listing), renamed, and pruned to the newest archives of its
// prefix. No ssh, tar or rsync is needed: the image has none.
package offsite

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/retention"
	"github.com/styliteag/birdseye/internal/sqlitefile"
	"github.com/styliteag/birdseye/internal/sshremote"
	"github.com/styliteag/birdseye/internal/target"
)

// Options are the OFFSITE_* settings.
type Options struct {
	Remote    sshremote.Config
	RemoteDir string
	Paths     []string // OFFSITE_PATHS, wildcards allowed
	DBPaths   []string // OFFSITE_DB_PATHS, wildcards allowed
	BaseDir   string
	Exclude   []string
	Prefix    string
	Keep      int
	WorkDir   string
	DryRun    bool // build the archive locally, keep it, ship nothing
	Loc       *time.Location
}

// Archive is one archive on the remote.
type Archive struct {
	Name    string
	Size    int64
	ModTime time.Time
}

// Result is what a run did.
type Result struct {
	Name    string // <prefix>-<local stamp>.tar.gz
	Local   string // the archive's path in a dry run
	Size    int64
	Members int
	SHA256  string
	Kept    []Archive // the archives of the prefix after pruning, newest first
	Pruned  []string
}

// Run builds and ships one archive, reporting each step to out.
func Run(ctx context.Context, o Options, now time.Time, out io.Writer) (Result, error) {
	r := Result{Name: fmt.Sprintf("%s-%s.tar.gz", o.Prefix, now.In(o.Loc).Format("20060102-150405"))}
	if o.Keep < 1 {
		return r, fmt.Errorf("keep %d: at least the new archive must be kept", o.Keep)
	}
	paths, err := Sources("OFFSITE_PATHS", o.Paths)
	if err != nil {
		return r, err
	}
	if len(paths) == 0 {
		return r, fmt.Errorf("OFFSITE_PATHS is not set — nothing to back up")
	}
	dbs, err := Sources("OFFSITE_DB_PATHS", o.DBPaths)
	if err != nil {
		return r, err
	}
	base, err := Base(o.BaseDir, append(append([]string{}, paths...), dbs...))
	if err != nil {
		return r, err
	}
	if err := os.RemoveAll(o.WorkDir); err != nil {
		return r, fmt.Errorf("clear OFFSITE_WORK_DIR: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(o.WorkDir, "snapshots"), 0o700); err != nil {
		return r, fmt.Errorf("OFFSITE_WORK_DIR: %w", err)
	}
	if !o.DryRun {
		defer os.RemoveAll(o.WorkDir)
	}
	// The databases go in as consistent snapshots under their own names;
	// the live files (and their -wal, -shm, -journal) do not go in at all:
	// a restore of both would end with whichever came last.
	var entries []entry
	skip := map[string]bool{}
	for i, db := range dbs {
		rel, _ := filepath.Rel(base, db)
		snap := filepath.Join(o.WorkDir, "snapshots", fmt.Sprint(i))
		if err := sqlitefile.Snapshot(db, snap); err != nil {
			return r, fmt.Errorf("snapshot %s: %w", db, err)
		}
		fi, _ := os.Stat(snap)
		fmt.Fprintf(out, "snapshot %s: %.1f MB, integrity ok\n", rel, float64(fi.Size())/1e6)
		entries = append(entries, entry{src: snap, name: filepath.ToSlash(rel)})
		for _, s := range []string{"", "-wal", "-shm", "-journal"} {
			skip[db+s] = true
		}
	}
	var files []entry
	for _, p := range paths {
		rel, _ := filepath.Rel(base, p)
		files = append(files, entry{src: p, name: filepath.ToSlash(rel)})
	}
	entries = append(files, entries...)

	if o.DryRun {
		r.Local = filepath.Join(o.WorkDir, r.Name)
		f, err := os.OpenFile(r.Local, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
		if err != nil {
			return r, err
		}
		h := sha256.New()
		cw := &target.CountingWriter{W: io.MultiWriter(f, h)}
		r.Members, err = writeArchive(cw, entries, o.Exclude, skip)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		r.Size, r.SHA256 = cw.N, hex.EncodeToString(h.Sum(nil))
		fmt.Fprintf(out, "archive %s: %.1f MB, %d members\n", r.Name, float64(r.Size)/1e6, r.Members)
		fmt.Fprintf(out, "dry-run: keeping %s, not shipping it\n", r.Local)
		return r, err
	}
	return ship(ctx, o, r, entries, skip, out)
}

func ship(ctx context.Context, o Options, r Result, entries []entry, skip map[string]bool, out io.Writer) (Result, error) {
	c, err := sshremote.Dial(ctx, o.Remote)
	if err != nil {
		return r, err
	}
	defer c.Close()
	fs := c.SFTP()
	if err := fs.MkdirAll(o.RemoteDir); err != nil {
		return r, fmt.Errorf("create %s on the remote: %w", o.RemoteDir, err)
	}
	fs.Chmod(o.RemoteDir, 0o700)
	if n := target.SweepPartials(fs, o.RemoteDir, o.Prefix+"-", time.Now()); n > 0 {
		fmt.Fprintf(out, "removed %d partial upload(s) a killed run left in %s\n", n, o.RemoteDir)
	}
	// The archive streams to the remote as it is made: no local copy.
	var how string
	remote := &writeErr{}
	err = target.Upload(fs, o.RemoteDir, r.Name, func(w io.Writer) error {
		remote.w = w
		h := sha256.New()
		bw := bufio.NewWriterSize(remote, 256<<10)
		cw := &target.CountingWriter{W: io.MultiWriter(bw, h)}
		var err error
		if r.Members, err = writeArchive(cw, entries, o.Exclude, skip); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		r.Size, r.SHA256 = cw.N, hex.EncodeToString(h.Sum(nil))
		fmt.Fprintf(out, "archive %s: %.1f MB, %d members, sha256 %s\n", r.Name, float64(r.Size)/1e6, r.Members, r.SHA256)
		return nil
	}, func(partial string) error {
		var err error
		how, err = verify(ctx, c, partial, r)
		return err
	})
	var ue *target.UploadError
	switch {
	case err == nil:
	case errors.As(err, &ue) && ue.Stage == target.StageWrite && remote.err != nil:
		// The remote refused the bytes (a full disk answers SFTP "Failure"):
		// name the remote, not the local file being read when it happened.
		return r, fmt.Errorf("write %s to %s on %s failed (is its disk full?): %w", ue.Partial, o.RemoteDir, o.Remote.Addr(), remote.err)
	case errors.As(err, &ue) && ue.Stage == target.StageWrite:
		return r, fmt.Errorf("write %s to the remote: %w", r.Name, ue.Err)
	case errors.As(err, &ue) && ue.Stage == target.StageCheck:
		return r, ue.Err // verify's own words
	case errors.As(err, &ue) && ue.Stage == target.StageRename:
		return r, fmt.Errorf("rename %s to %s: %w", ue.Partial, ue.Final, ue.Err)
	case errors.As(err, &ue):
		return r, fmt.Errorf("create %s on the remote: %w", ue.Partial, ue.Err)
	default:
		return r, err
	}
	fmt.Fprintf(out, "verified on the remote (%s): sha256 matches, archive lists cleanly\n", how)

	all, err := list(fs, o.RemoteDir, o.Prefix)
	if err != nil {
		return r, err
	}
	// Pruned as every backup target prunes; the Python tool named the
	// newest first, and so does the report.
	r.Pruned, err = target.PruneSeries(ctx, target.OnSFTP(fs, o.RemoteDir), Series(o.Prefix), retention.Policy{Last: o.Keep})
	sort.Sort(sort.Reverse(sort.StringSlice(r.Pruned)))
	if err != nil {
		return r, err
	}
	gone := map[string]bool{}
	for _, n := range r.Pruned {
		gone[n] = true
	}
	for _, a := range all {
		if !gone[a.Name] {
			r.Kept = append(r.Kept, a)
		}
	}
	if len(r.Pruned) > 0 {
		fmt.Fprintf(out, "pruned %d beyond the last %d: %s\n", len(r.Pruned), o.Keep, strings.Join(r.Pruned, ", "))
	}
	var total int64
	for _, a := range r.Kept {
		total += a.Size
	}
	fmt.Fprintf(out, "%d archives, %.1f MB, newest %s (%.1f MB)\n", len(r.Kept), float64(total)/1e6, r.Name, float64(r.Size)/1e6)
	return r, nil
}

// List is the remote's archives of the prefix, newest first (`--list`).
func List(ctx context.Context, o Options) ([]Archive, error) {
	c, err := sshremote.Dial(ctx, o.Remote)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return list(c.SFTP(), o.RemoteDir, o.Prefix)
}

type lister interface {
	ReadDir(string) ([]os.FileInfo, error)
}

// Series is the archives of this prefix only, <prefix>-YYYYMMDD-HHMMSS.tar.gz,
// stamped with the local wall-clock time in the name. It is read as if it
// were UTC: the order is then the names' order, also across a change of
// summer time, and a day is the day the name says.
func Series(prefix string) target.Series {
	mine := regexp.MustCompile(`^` + regexp.QuoteMeta(prefix) + `-(\d{8}-\d{6})\.tar\.gz$`)
	return target.Series{
		Match: mine.MatchString,
		Stamp: func(name string) (time.Time, bool) {
			m := mine.FindStringSubmatch(name)
			if m == nil {
				return time.Time{}, false
			}
			t, err := time.Parse("20060102-150405", m[1])
			return t, err == nil
		},
	}
}

// list reads the archives of this prefix, newest first, with their sizes.
// Nothing else in the directory is ever touched.
func list(fs lister, dir, prefix string) ([]Archive, error) {
	infos, err := fs.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list %s on the remote: %w", dir, err)
	}
	mine := Series(prefix).Match
	var out []Archive
	for _, fi := range infos {
		if fi.Mode().IsRegular() && mine(fi.Name()) {
			out = append(out, Archive{Name: fi.Name(), Size: fi.Size(), ModTime: fi.ModTime()})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name > out[j].Name }) // the stamp sorts by time
	return out, nil
}

// writeErr keeps the first error of the writer it wraps: the remote's.
type writeErr struct {
	w   io.Writer
	err error
}

func (e *writeErr) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	if err != nil && e.err == nil {
		e.err = err
	}
	return n, err
}
