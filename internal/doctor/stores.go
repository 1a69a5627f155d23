package doctor

import (
	"fmt"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/pgdsn"
)

// checkStores says which engine NetBird's stores use, where that was read
// (NB_MANAGEMENT_CONFIG, NetBird's own variables), and what that means for
// the events source and the backup. Nothing is said when nothing tells.
func checkStores(cfg *config.Config, add func(Result)) {
	e, err := config.StoreEngines(cfg.Events.KeyFrom)
	if err != nil {
		return // NB_MANAGEMENT_CONFIG's own check says why
	}
	if e.StoreFrom == "" && e.ActivityFrom == "" {
		return
	}
	name := func(engine, from string) string {
		if from == "" {
			return "sqlite (NetBird's default)"
		}
		return engine + " (" + from + ")"
	}
	detail := fmt.Sprintf("store %s, activity store %s", name(e.Store, e.StoreFrom), name(e.Activity, e.ActivityFrom))
	if cfg.Events.FromDB() && e.Activity == "postgres" && !pgdsn.Is(cfg.Events.Path(cfg.Backup.Paths)) {
		add(Result{Fail, "NetBird stores", detail + ": EVENTS_SOURCE=db reads a file, which this server does not write",
			"set EVENTS_DB to the activity store's DSN (postgres://birdseye:…@…/netbird), or leave it empty with NB_ACTIVITY_EVENT_POSTGRES_DSN"})
		return
	}
	if (e.Store == "postgres" || e.Store == "mysql") && cfg.Backup.Postgres != "" {
		add(Result{OK, "NetBird stores", detail + ": the volume backup holds pg_dump's dump of " + cfg.Backup.Postgres + "'s databases", ""})
		return
	}
	if e.Store == "postgres" || e.Store == "mysql" {
		add(Result{Warn, "NetBird stores", detail + ": the volume backup and the standby clone copy SQLite files, none of this database",
			"set BACKUP_POSTGRES to the Postgres container (and mount the Docker socket) to dump it into the backup"})
		return
	}
	if e.Activity == "postgres" && !cfg.Events.FromDB() {
		add(Result{OK, "NetBird stores", detail, "EVENTS_SOURCE=db can read the events from that database (EVENTS_DB=postgres://…)"})
		return
	}
	add(Result{OK, "NetBird stores", detail, ""})
}
