package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Engines are the database engines of NetBird's stores: sqlite, postgres
// or mysql, and where each was read ("" where nothing says: NetBird's
// default, sqlite).
type Engines struct {
	Store, Activity         string
	StoreFrom, ActivityFrom string
}

// Postgres reports whether any store is not a SQLite file.
func (e Engines) Postgres() bool {
	return e.Store == "postgres" || e.Store == "mysql" || e.Activity == "postgres"
}

// StoreEngines reads them from NetBird's configuration file (management.json:
// StoreConfig.Engine; the combined server's config.yaml: server.store.engine
// and server.activityStore.engine) and from NetBird's variables when
// birdseye shares NetBird's env file (NETBIRD_STORE_ENGINE,
// NB_ACTIVITY_EVENT_STORE_ENGINE). file may be "".
func StoreEngines(file string) (Engines, error) {
	var e Engines
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return e, fmt.Errorf("read %s: %w", file, err)
		}
		var doc map[string]any
		if json.Unmarshal(b, &doc) == nil {
			if sc, ok := doc["StoreConfig"].(map[string]any); ok {
				e.Store, e.StoreFrom = lower(sc["Engine"]), filepath.Base(file)+" StoreConfig.Engine"
			}
		} else if yaml.Unmarshal(b, &doc) == nil {
			server, _ := doc["server"].(map[string]any)
			if st, ok := server["store"].(map[string]any); ok && st["engine"] != nil {
				e.Store, e.StoreFrom = lower(st["engine"]), filepath.Base(file)+" server.store.engine"
			}
			if st, ok := server["activityStore"].(map[string]any); ok && st["engine"] != nil {
				e.Activity, e.ActivityFrom = lower(st["engine"]), filepath.Base(file)+" server.activityStore.engine"
			}
		} else {
			return e, fmt.Errorf("%s is neither JSON nor YAML", file)
		}
	}
	if v := os.Getenv("NETBIRD_STORE_ENGINE"); v != "" {
		e.Store, e.StoreFrom = strings.ToLower(v), "NETBIRD_STORE_ENGINE"
	}
	if v := os.Getenv("NB_ACTIVITY_EVENT_STORE_ENGINE"); v != "" {
		e.Activity, e.ActivityFrom = strings.ToLower(v), "NB_ACTIVITY_EVENT_STORE_ENGINE"
	}
	return e, nil
}

func lower(v any) string {
	s, _ := v.(string)
	return strings.ToLower(strings.TrimSpace(s))
}

// refusePostgresStore is the standby clone's answer to a NetBird whose
// store is not a SQLite file (its management.json or config.yaml in
// CLONE_CONFIG_FILES, or NETBIRD_STORE_ENGINE, says so): it copies files,
// which a database server's data are not.
func (c Clone) refusePostgresStore() error {
	files := []string{""} // the environment alone
	for _, f := range c.ConfigFiles {
		if b := filepath.Base(f); b == "management.json" || b == "config.yaml" {
			files = append(files, f)
		}
	}
	for _, f := range files {
		e, err := StoreEngines(f)
		if err != nil || (e.Store != "postgres" && e.Store != "mysql") {
			continue // an unreadable file is said where it is copied
		}
		return &Error{Var: "CLONE_CONFIG_FILES", Msg: fmt.Sprintf("names a NetBird whose store is on %s (%s): the standby clone copies SQLite files; expected Postgres's own replication for a standby of that database (a streaming replica), with the clone left off", e.Store, e.StoreFrom)}
	}
	return nil
}
