package clone

import (
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/styliteag/birdseye/internal/sqlitefile"
)

// Database is one snapshot in the payload's db/ directory.
type Database struct {
	Name  string // base name, as installed on the standby
	Bytes int64
}

// Databases is what SnapshotDatabases staged.
type Databases struct {
	Files  []Database
	Counts map[string]int // rows per store table; the first database holding a table wins
}

// SnapshotDatabases copies each CLONE_DB_PATHS database hot-consistently
// into dir/db/<base name> (mode 0600, integrity_check ok) and refuses the
// lot when the counts fall short of min (CLONE_MIN_ROWS): a clone of an
// empty or wrong database must never replace a working standby.
func SnapshotDatabases(paths []string, dir string, min map[string]int) (*Databases, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("CLONE_DB_PATHS is not set — nothing to clone")
	}
	seen := map[string]string{}
	for _, p := range paths {
		b := filepath.Base(p)
		if other, ok := seen[b]; ok {
			return nil, fmt.Errorf("CLONE_DB_PATHS: %s and %s share the name %s, and the standby installs both into one directory", other, p, b)
		}
		seen[b] = p
	}
	if err := os.MkdirAll(filepath.Join(dir, "db"), 0o700); err != nil {
		return nil, fmt.Errorf("create the payload's db directory: %w", err)
	}
	out := &Databases{Counts: map[string]int{}}
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("CLONE_DB_PATHS: %w", err)
		}
		dst := filepath.Join(dir, "db", filepath.Base(p))
		_ = os.Remove(dst) // VACUUM INTO refuses an existing file
		if err := sqlitefile.Snapshot(p, dst); err != nil {
			return nil, err
		}
		if err := os.Chmod(dst, 0o600); err != nil {
			return nil, fmt.Errorf("restrict %s: %w", dst, err)
		}
		fi, err := os.Stat(dst)
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", p, err)
		}
		out.Files = append(out.Files, Database{Name: filepath.Base(p), Bytes: fi.Size()})
		for t, n := range sqlitefile.TableCounts(dst) {
			if _, ok := out.Counts[t]; !ok {
				out.Counts[t] = n
			}
		}
	}
	if problems := CheckMinRows(out.Counts, min); len(problems) > 0 {
		return out, fmt.Errorf("snapshot fails CLONE_MIN_ROWS: %s", strings.Join(problems, "; "))
	}
	return out, nil
}

// Text prints what was staged, as the old tool did: one line per database,
// then the row counts.
func (d *Databases) Text(w io.Writer) {
	for _, f := range d.Files {
		fmt.Fprintf(w, "  %-14s %7.1f MB  integrity ok\n", f.Name, float64(f.Bytes)/1e6)
	}
	fmt.Fprintf(w, "  holds: %s\n", countsText(d.Counts))
}

// countsText is "1 accounts, 2 peers": row counts in table order.
func countsText(counts map[string]int) string {
	parts := make([]string, 0, len(counts))
	for _, t := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%d %s", counts[t], t))
	}
	return strings.Join(parts, ", ")
}
