package backup

// What BACKUP_DIR keeps: the retention, the partial archives a crash left,
// and the staging directory used when BACKUP_DIR cannot take an archive.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/retention"
	"github.com/styliteag/birdseye/internal/target"
)

// LatestIn is the newest volume archive (either format) in dir, by the
// time stamp its name ends in, as on every target.
func LatestIn(ctx context.Context, dir string) (string, error) {
	name, err := target.Latest(ctx, &target.Dir{Path: dir})
	if err != nil {
		return "", fmt.Errorf("no volume archive (netbird-*.zip or .tar.gz.age) in BACKUP_DIR=%s", dir)
	}
	return filepath.Join(dir, name), nil
}

// staging is the directory an archive is built in when BACKUP_DIR cannot
// take it, made on the first need and removed when the run ends.
type staging struct{ dir string }

func (st *staging) remove() {
	if st.dir != "" {
		os.RemoveAll(st.dir)
	}
}

// build makes a step's archive in out. When out is BACKUP_DIR and the
// archive cannot be written there (a full disk), it is built again in a
// staging directory: the targets and the mail still get it, and the step
// says BACKUP_DIR did not keep it.
func (rc RunConfig) build(out string, st *staging, s *Step, log io.Writer, fn func(dir string) error) error {
	err := fn(out)
	var we *WriteError
	if err == nil || out != rc.Dir || !errors.As(err, &we) {
		return err
	}
	s.KeptErr = fmt.Errorf("BACKUP_DIR %s could not take it: %w", rc.Dir, err)
	fmt.Fprintf(log, "warning: %s: %v; building it in a staging directory so the targets and the mail still get it\n", s.What, s.KeptErr)
	if st.dir == "" {
		d, mkErr := os.MkdirTemp("", "birdseye-backup-")
		if mkErr != nil {
			return fmt.Errorf("%w; and no staging directory either: %w", s.KeptErr, mkErr)
		}
		st.dir = d
	}
	if err := fn(st.dir); err != nil {
		return fmt.Errorf("%w; and in the staging directory %s: %w", s.KeptErr, st.dir, err)
	}
	return nil
}

// prune applies the retention to the archives of the same kind and label
// as name in dir; both formats count, so a switch to age does not keep the
// old zips forever.
func prune(dir, name string, keep retention.Policy) error {
	kind := name[:strings.LastIndex(name, "-")+1] // netbird-<label>-
	all, err := filepath.Glob(filepath.Join(dir, kind+"*"))
	if err != nil {
		return err
	}
	var mine []string
	for _, m := range all {
		if b := filepath.Base(m); strings.HasSuffix(b, ".zip") || strings.HasSuffix(b, ".tar.gz.age") {
			mine = append(mine, b)
		}
	}
	for _, d := range retention.Drop(mine, keep) {
		if err := os.Remove(filepath.Join(dir, d)); err != nil {
			return err
		}
	}
	return nil
}

// partialAge is how long a partial archive must have gone unwritten to be
// taken as left by a crash: a run writes it without pause, and a `backup
// run` by hand may be writing one beside the schedule's.
const partialAge = 10 * time.Minute

// sweepPartials removes the partial archives (netbird-*.partial,
// netbirdexport-*.partial) an interrupted run left in dir, and says so.
func sweepPartials(dir string, now time.Time, log io.Writer) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return // the run itself says what is wrong with dir
	}
	n := 0
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(name, "netbird") || !strings.HasSuffix(name, ".partial") {
			continue
		}
		if fi, err := e.Info(); err != nil || now.Sub(fi.ModTime()) < partialAge {
			continue
		}
		if os.Remove(filepath.Join(dir, name)) == nil {
			n++
		}
	}
	if n > 0 {
		fmt.Fprintf(log, "removed %d partial archives an interrupted run left in %s\n", n, dir)
	}
}
