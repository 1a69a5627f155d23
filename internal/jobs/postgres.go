package jobs

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/styliteag/birdseye/internal/backup"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/dockerapi"
	"github.com/styliteag/birdseye/internal/pgdsn"
	"github.com/styliteag/birdseye/internal/pgdump"
)

// postgresDumps is BACKUP_POSTGRES: each database dumped by the pg_dump
// of that container, through the Docker engine, into the volume archive.
// nil when it is not set.
func postgresDumps(b config.Backup) func(context.Context) ([]backup.Dump, error) {
	if b.Postgres == "" {
		return nil
	}
	return func(ctx context.Context) ([]backup.Dump, error) {
		eng := dockerapi.Engine{Socket: b.DockerSocket}
		env, err := eng.Env(ctx, b.Postgres)
		if err != nil {
			return nil, fmt.Errorf("BACKUP_POSTGRES=%s: %w", b.Postgres, err)
		}
		run := pgdump.Container{Engine: eng, Name: b.Postgres}
		if pw := b.PostgresPassword.Reveal(); pw != "" {
			run.Env = []string{"PGPASSWORD=" + pw}
		}
		var out []backup.Dump
		for _, p := range dumpPlan(b, env) {
			out = append(out, backup.Dump{Name: "postgres/" + p.name + ".dump", Write: func(ctx context.Context, w io.Writer) error {
				return pgdump.Dump(ctx, run, p.dsn, w)
			}})
		}
		return out, nil
	}
}

// PostgresRestore is BACKUP_POSTGRES's restore check of a dump: pg_restore
// into a scratch database in that container's server, as its user, the
// tables counted, the scratch database dropped. nil when it is not set.
func PostgresRestore(b config.Backup) backup.DumpRestore {
	if b.Postgres == "" {
		return nil
	}
	return func(ctx context.Context, name string, r io.Reader) (map[string]int, error) {
		eng := dockerapi.Engine{Socket: b.DockerSocket}
		env, err := eng.Env(ctx, b.Postgres)
		if err != nil {
			return nil, fmt.Errorf("BACKUP_POSTGRES=%s: %w", b.Postgres, err)
		}
		run := pgdump.Container{Engine: eng, Name: b.Postgres}
		if pw := b.PostgresPassword.Reveal(); pw != "" {
			run.Env = []string{"PGPASSWORD=" + pw}
		}
		admin := "dbname=postgres user=" + cmp.Or(b.PostgresUser, envValue(env, "POSTGRES_USER"), "postgres")
		// A dump of a database on another server (a DSN in
		// BACKUP_POSTGRES_DATABASES) is checked on that server.
		for _, p := range dumpPlan(b, env) {
			if "postgres/"+p.name+".dump" == name && p.given {
				admin = p.dsn
			}
		}
		return pgdump.Check(ctx, run, admin, r)
	}
}

func envValue(env []string, k string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, k+"="); ok {
			return v
		}
	}
	return ""
}

// plannedDump is one database to dump: its name in the archive and what
// pg_dump connects to inside the container.
type plannedDump struct {
	name, dsn string
	given     bool // a DSN from BACKUP_POSTGRES_DATABASES, not a name
}

// dumpPlan reads BACKUP_POSTGRES_DATABASES, or the container's own
// POSTGRES_DB (the official image's default is POSTGRES_USER's name). A
// name is reached on the container's local socket as the user.
func dumpPlan(b config.Backup, containerEnv []string) []plannedDump {
	get := func(k string) string {
		for _, kv := range containerEnv {
			if v, ok := strings.CutPrefix(kv, k+"="); ok {
				return v
			}
		}
		return ""
	}
	user := cmp.Or(b.PostgresUser, get("POSTGRES_USER"), "postgres")
	dbs := []string(b.PostgresDatabases)
	if len(dbs) == 0 {
		dbs = []string{cmp.Or(get("POSTGRES_DB"), user)}
	}
	var out []plannedDump
	for _, d := range dbs {
		if pgdsn.Is(d) {
			out = append(out, plannedDump{name: cmp.Or(pgdsn.Database(d), "postgres"), dsn: d, given: true})
			continue
		}
		out = append(out, plannedDump{name: d, dsn: "dbname=" + d + " user=" + user})
	}
	return out
}
