package backup

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/styliteag/birdseye/internal/archive"
	"github.com/styliteag/birdseye/internal/sqlitefile"
)

// liveCounts maps store tables to the API lists to compare with.
var liveCounts = map[string]string{"peers": "/peers", "users": "/users", "groups": "/groups", "policies": "/policies", "setup_keys": "/setup-keys"}

// Live is the running server, for the comparison (GetRaw of a list).
type Live interface {
	GetRaw(ctx context.Context, path string) (json.RawMessage, error)
}

// DumpRestore restores one pg_dump archive read from r into a scratch
// database and counts NetBird's tables there (pgdump.Check through the
// Postgres container, BACKUP_POSTGRES).
type DumpRestore func(ctx context.Context, name string, r io.Reader) (map[string]int, error)

// CheckReport is what a restore of an archive would bring back.
type CheckReport struct {
	Files     int
	Databases map[string]error // entry -> integrity_check result
	Dumps     map[string]error // pg_dump entry -> nil when it restored
	Store     string           // the store.db entry (or the store's dump), "" when none
	Counts    map[string]int   // its tables' rows
	Live      map[string]int   // the API's counts, when it was asked and answered
	Warnings  []string
	Problems  []string // what makes the archive fail the check
}

// OK reports whether the archive passed.
func (c *CheckReport) OK() bool { return len(c.Problems) == 0 }

// Check opens an archive as a restore would: every file decrypts and
// matches its checksum, every SQLite database passes integrity_check, the
// store's tables are counted and, with live, compared with the running
// server (a difference is a warning: changes since the backup are normal),
// and the store encryption key must have come along.
func Check(ctx context.Context, file string, k Key, live Live) (*CheckReport, error) {
	return CheckWith(ctx, file, k, live, nil)
}

// CheckWith is Check that also restores the archive's database dumps with
// restore (nil: a dump is named as not checked): a dump that does not
// restore fails the check, and the store's dump is counted and compared
// with the live server as store.db is.
func CheckWith(ctx context.Context, file string, k Key, live Live, restore DumpRestore) (*CheckReport, error) {
	c := &CheckReport{Counts: map[string]int{}, Dumps: map[string]error{}}
	var entries []archive.Entry
	var err error
	if archive.IsAge(file) {
		entries, err = archive.EachAge(file, k.AgeIdentities(), nil)
	} else {
		entries, err = archive.Verify(file, k.Password)
	}
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if !e.Dir {
			c.Files++
		}
	}
	in, err := inspect(file, k, func(name, copy string) {
		if path.Base(name) != "store.db" || c.Store != "" {
			return
		}
		c.Store = name
		c.Counts = sqlitefile.TableCounts(copy)
	}, func(name string, r io.Reader) {
		if restore == nil {
			c.Warnings = append(c.Warnings, name+" (pg_dump) was not restored here: set BACKUP_POSTGRES to check it, or restore it with pg_restore")
			return
		}
		counts, err := restore(ctx, name, r)
		c.Dumps[name] = err
		if err != nil {
			c.Problems = append(c.Problems, name+" does not restore: "+err.Error())
			return
		}
		if _, ok := counts["accounts"]; ok && c.Store == "" {
			c.Store, c.Counts = name, counts // NetBird's store, on Postgres
		}
	})
	if err != nil {
		return nil, err
	}
	c.Databases = in.Databases
	for _, w := range in.Warnings {
		if in.NoKey && strings.Contains(w, "no store encryption key") {
			// Not restorable: the users' names and e-mails would be lost.
			c.Problems = append(c.Problems, w)
			continue
		}
		c.Warnings = append(c.Warnings, w)
	}
	names := make([]string, 0, len(c.Databases))
	for n := range c.Databases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := c.Databases[n]; err != nil {
			c.Problems = append(c.Problems, fmt.Sprintf("%s fails integrity_check: %v", n, err))
		}
	}
	if c.Store != "" && c.Counts["accounts"] == 0 {
		c.Problems = append(c.Problems, c.Store+" holds no account: a restore would start an empty NetBird")
	}
	if live != nil && c.Store != "" && c.Counts["accounts"] == 1 {
		c.Live = map[string]int{}
		for table, p := range liveCounts {
			raw, err := live.GetRaw(ctx, p)
			if err != nil {
				c.Warnings = append(c.Warnings, "the live server could not be compared: "+err.Error())
				c.Live = nil
				break
			}
			var list []json.RawMessage
			if json.Unmarshal(raw, &list) == nil {
				c.Live[table] = len(list)
			}
		}
		var diffs []string
		for _, table := range sqlitefile.StoreTables {
			have, inStore := c.Counts[table]
			if n, ok := c.Live[table]; ok && inStore && n != have {
				diffs = append(diffs, fmt.Sprintf("%s %d in the backup, %d live", table, have, n))
			}
		}
		if len(diffs) > 0 {
			c.Warnings = append(c.Warnings, "differs from the live server (changes since the backup are normal): "+strings.Join(diffs, ", "))
		}
	}
	return c, nil
}

// Text is the report for people: one line per finding, the verdict last.
func (c *CheckReport) Text(w io.Writer) {
	fmt.Fprintf(w, "files:    %d, every one decrypts and matches SHA256SUMS\n", c.Files)
	names := make([]string, 0, len(c.Databases))
	for n := range c.Databases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := c.Databases[n]; err != nil {
			fmt.Fprintf(w, "sqlite:   %s: FAILED: %v\n", n, err)
		} else {
			fmt.Fprintf(w, "sqlite:   %s: integrity ok\n", n)
		}
	}
	for _, n := range slices.Sorted(maps.Keys(c.Dumps)) {
		if err := c.Dumps[n]; err != nil {
			fmt.Fprintf(w, "pg_dump:  %s: FAILED: %v\n", n, err)
		} else {
			fmt.Fprintf(w, "pg_dump:  %s: restored into a scratch database\n", n)
		}
	}
	if c.Store != "" {
		var parts []string
		for _, t := range sqlitefile.StoreTables {
			if n, ok := c.Counts[t]; ok {
				part := fmt.Sprintf("%d %s", n, t)
				if l, ok := c.Live[t]; ok {
					part += fmt.Sprintf(" (live %d)", l)
				}
				parts = append(parts, part)
			}
		}
		fmt.Fprintf(w, "store:    %s: %s\n", c.Store, strings.Join(parts, ", "))
	} else {
		fmt.Fprintln(w, "store:    no store.db in the archive (a Postgres store, or BACKUP_PATHS without NetBird's data volume)")
	}
	for _, warn := range c.Warnings {
		fmt.Fprintln(w, "warning: ", warn)
	}
	for _, p := range c.Problems {
		fmt.Fprintln(w, "problem: ", p)
	}
	if c.OK() {
		fmt.Fprintln(w, "verdict:  restorable")
	} else {
		fmt.Fprintln(w, "verdict:  NOT restorable")
	}
}
