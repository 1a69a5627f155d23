// Package sqlitefile is what birdseye does to SQLite files it does not own
// (NetBird's store.db, events.db, idp.db): tell one by its header, take a
// consistent snapshot through SQLite itself, check its integrity, walk a
// tree for readability, count a store's rows. The backups, the offsite
// backup and the standby clone share it.
package sqlitefile

import (
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // pure Go: the binary stays static
)

// Magic is the header every SQLite database file starts with.
var Magic = []byte("SQLite format 3\x00")

// IsSQLite reports whether the file starts with SQLite's header.
func IsSQLite(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(Magic))
	if _, err := io.ReadFull(f, head); err != nil {
		return false
	}
	return bytes.Equal(head, Magic)
}

// Snapshot copies a live SQLite database consistently into dst: SQLite
// itself reads it in one transaction (VACUUM INTO), so a write in progress is
// either wholly in the copy or not at all, which a byte copy of a database
// being written cannot promise. The source is opened read-only (it may sit
// on a read-only mount); the copy is checked with PRAGMA integrity_check.
func Snapshot(src, dst string) error {
	q := url.Values{"mode": {"ro"}, "_pragma": {"busy_timeout(10000)"}}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: src}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return fmt.Errorf("open %s: %w", src, err)
	}
	defer db.Close()
	if _, err := db.Exec("VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("snapshot %s: %w", src, err)
	}
	return IntegrityCheck(dst)
}

// IntegrityCheck runs PRAGMA integrity_check on a database file.
func IntegrityCheck(path string) error {
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil {
		return fmt.Errorf("integrity check of %s: %w", path, err)
	}
	if res != "ok" {
		return fmt.Errorf("integrity check of %s failed: %s", path, res)
	}
	return nil
}

// Readable opens every regular file under src, as the backup will, and
// returns the first that cannot be read: a root-owned volume is named at
// start or by doctor, not at the first scheduled backup. visit (may be
// nil) sees each file.
func Readable(src string, visit func(path string)) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			f.Close()
			if visit != nil {
				visit(path)
			}
		}
		return nil
	})
}

// StoreTables are the tables of NetBird's store.db that a restore check
// counts (the Python tool's table_counts), those that exist.
var StoreTables = []string{"accounts", "peers", "users", "groups", "policies", "setup_keys", "networks", "posture_checks", "personal_access_tokens"}

// TableCounts counts the rows of the store tables a database has; a table
// it lacks is absent from the map.
func TableCounts(file string) map[string]int {
	out := map[string]int{}
	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		return out
	}
	defer db.Close()
	for _, t := range StoreTables {
		var n int
		if db.QueryRow(`SELECT count(*) FROM "`+t+`"`).Scan(&n) == nil {
			out[t] = n
		}
	}
	return out
}
