package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/styliteag/birdseye/internal/pgdsn"
)

// Events is where the audit events are read: the API, or NetBird's
// activity store (events.db, or its Postgres database) directly.
type Events struct {
	Source   string  `envconfig:"EVENTS_SOURCE" default:"api" desc:"api (poll /api/events/audit) or db (read NetBird's activity store directly, read-only: no 10,000-event window, about a second's delay, no load on the API)"`
	DB       Secret  `envconfig:"EVENTS_DB" desc:"the activity store: the path of events.db in the container (NetBird's data volume mounted read-only), or a postgres:// DSN (sslmode as libpq names it); empty = NB_ACTIVITY_EVENT_POSTGRES_DSN, else events.db looked for in BACKUP_PATHS"`
	PgDSN    Secret  `envconfig:"NB_ACTIVITY_EVENT_POSTGRES_DSN" desc:"NetBird's own variable for a Postgres activity store: read when EVENTS_DB is empty, so one env file serves both"`
	Key      Secret  `envconfig:"NB_DATASTORE_ENCRYPTION_KEY" desc:"NetBird's DataStoreEncryptionKey (management.json), so that events of deleted users keep their names"`
	KeyFrom  string  `envconfig:"NB_MANAGEMENT_CONFIG" desc:"NetBird's management.json (or the combined server's config.yaml) in the container, to read the store key from when NB_DATASTORE_ENCRYPTION_KEY is not set"`
	Interval Seconds `envconfig:"EVENTS_DB_POLL_INTERVAL" default:"1" desc:"seconds between reads of the activity store"`
	GapWait  Seconds `envconfig:"EVENTS_DB_GAP_WAIT" default:"60" desc:"Postgres only: seconds a missing event id below a visible one is waited for before it counts as a rolled-back insert"`
	Account  string  `envconfig:"EVENTS_DB_ACCOUNT" desc:"the account whose events are read (empty = the token's account from the API, else the one with the most events)"`
}

// StoreKey is NB_DATASTORE_ENCRYPTION_KEY, or the key in the management
// configuration file NB_MANAGEMENT_CONFIG names ("" when neither).
func (e Events) StoreKey() (string, error) {
	if k := e.Key.Reveal(); k != "" || e.KeyFrom == "" {
		return k, nil
	}
	b, err := os.ReadFile(e.KeyFrom)
	if err != nil {
		return "", &Error{Var: "NB_MANAGEMENT_CONFIG", Msg: fmt.Sprintf("=%q cannot be read (%v); expected NetBird's management.json or config.yaml, mounted read-only", e.KeyFrom, errors.Unwrap(err))}
	}
	var doc any
	if json.Unmarshal(b, &doc) != nil {
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return "", &Error{Var: "NB_MANAGEMENT_CONFIG", Msg: fmt.Sprintf("=%q is neither JSON nor YAML", e.KeyFrom)}
		}
	}
	if k := findKey(doc); k != "" {
		return k, nil
	}
	return "", &Error{Var: "NB_MANAGEMENT_CONFIG", Msg: fmt.Sprintf("=%q holds no DataStoreEncryptionKey (or encryptionKey)", e.KeyFrom)}
}

// findKey looks for the store key anywhere in a configuration document.
func findKey(v any) string {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if s, ok := val.(string); ok && (strings.EqualFold(k, "DataStoreEncryptionKey") || strings.EqualFold(k, "encryptionKey")) && s != "" {
				return s
			}
		}
		for _, val := range t {
			if s := findKey(val); s != "" {
				return s
			}
		}
	case []any:
		for _, val := range t {
			if s := findKey(val); s != "" {
				return s
			}
		}
	}
	return ""
}

// FromDB reports whether the activity store is the source.
func (e Events) FromDB() bool { return e.Source == "db" }

// Path is EVENTS_DB, else NB_ACTIVITY_EVENT_POSTGRES_DSN, else events.db
// found in a BACKUP_PATHS entry (at its top or one level down), else "".
// A DSN holds a password: say it with pgdsn.Redact.
func (e Events) Path(backupPaths List) string {
	if e.DB != "" {
		return e.DB.Reveal()
	}
	if e.PgDSN != "" {
		return e.PgDSN.Reveal()
	}
	for _, p := range backupPaths {
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

func (e Events) validate(backupPaths List) error {
	switch e.Source {
	case "api":
		return nil
	case "db":
	default:
		return &Error{Var: "EVENTS_SOURCE", Msg: fmt.Sprintf("=%q is not a source; expected api or db", e.Source)}
	}
	if _, err := e.StoreKey(); err != nil {
		return err
	}
	if e.GapWait.D() < time.Second {
		return &Error{Var: "EVENTS_DB_GAP_WAIT", Msg: fmt.Sprintf("=%s is too short to wait for an insert that commits late; expected at least 1 (seconds)", e.GapWait.D())}
	}
	if e.Path(backupPaths) == "" {
		return &Error{Var: "EVENTS_DB", Msg: "is not set and no events.db was found in BACKUP_PATHS; expected the path of NetBird's events.db in the container, e.g. /netbird-data/events.db (mount the management volume read-only), or a postgres:// DSN"}
	}
	for _, v := range []struct {
		name string
		val  Secret
	}{{"EVENTS_DB", e.DB}, {"NB_ACTIVITY_EVENT_POSTGRES_DSN", e.PgDSN}} {
		if v.val == "" {
			continue
		}
		dsn := v.val.Reveal()
		if pgdsn.Is(dsn) {
			if err := pgdsn.Check(dsn); err != nil {
				return &Error{Var: v.name, Msg: fmt.Sprintf("=%q cannot be read as a Postgres DSN (%s); expected e.g. postgres://birdseye:PASSWORD@postgres:5432/netbird?sslmode=verify-full", pgdsn.Redact(dsn), strings.TrimPrefix(err.Error(), "pq: "))}
			}
		} else if v.name == "EVENTS_DB" {
			if fi, err := os.Stat(dsn); err != nil || !fi.Mode().IsRegular() {
				return &Error{Var: "EVENTS_DB", Msg: fmt.Sprintf("=%q is not a file here; expected the path of NetBird's events.db in the container, e.g. /netbird-data/events.db (is the management volume mounted read-only there?), or a postgres:// DSN", dsn)}
			}
		} else {
			return &Error{Var: v.name, Msg: "is not a Postgres DSN; expected e.g. postgres://birdseye:PASSWORD@postgres:5432/netbird or host=postgres dbname=netbird user=birdseye"}
		}
		return nil // the one that is read
	}
	return nil
}
