package config

import (
	"fmt"
	"os"
	"path/filepath"
)

// Events is where the audit events are read: the API, or NetBird's
// activity store (events.db) directly.
type Events struct {
	Source   string  `envconfig:"EVENTS_SOURCE" default:"api" desc:"api (poll /api/events/audit) or db (read NetBird's events.db directly, read-only: no 10,000-event window, about a second's delay, no load on the API)"`
	DB       string  `envconfig:"EVENTS_DB" desc:"path of events.db in the container (NetBird's data volume mounted read-only); empty = looked for in BACKUP_PATHS"`
	Key      Secret  `envconfig:"NB_DATASTORE_ENCRYPTION_KEY" desc:"NetBird's DataStoreEncryptionKey (management.json), so that events of deleted users keep their names"`
	Interval Seconds `envconfig:"EVENTS_DB_POLL_INTERVAL" default:"1" desc:"seconds between reads of events.db"`
	Account  string  `envconfig:"EVENTS_DB_ACCOUNT" desc:"the account whose events are read (empty = the token's account from the API, else the one with the most events)"`
}

// FromDB reports whether events.db is the source.
func (e Events) FromDB() bool { return e.Source == "db" }

// Path is EVENTS_DB, or events.db found in a BACKUP_PATHS entry (at its
// top or one level down), or "".
func (e Events) Path(backupPaths string) string {
	if e.DB != "" {
		return e.DB
	}
	for _, p := range SplitComma(backupPaths) {
		matches, _ := filepath.Glob(p)
		for _, m := range matches {
			for _, c := range []string{filepath.Join(m, "events.db"), filepath.Join(m, "*", "events.db")} {
				found, _ := filepath.Glob(c)
				for _, f := range found {
					if fi, err := os.Stat(f); err == nil && fi.Mode().IsRegular() {
						return f
					}
				}
			}
		}
	}
	return ""
}

func (e Events) validate(backupPaths string) error {
	switch e.Source {
	case "api":
		return nil
	case "db":
	default:
		return &Error{Var: "EVENTS_SOURCE", Msg: fmt.Sprintf("=%q is not a source; expected api or db", e.Source)}
	}
	if e.Path(backupPaths) == "" {
		return &Error{Var: "EVENTS_DB", Msg: "is not set and no events.db was found in BACKUP_PATHS; expected the path of NetBird's events.db in the container, e.g. /netbird-data/events.db (mount the management volume read-only)"}
	}
	return nil
}
