package jobs

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/config"
)

// What BACKUP_POSTGRES dumps: the container's own database by default,
// reached as its own user; names and DSNs when BACKUP_POSTGRES_DATABASES
// lists them.
func TestTheDumpPlanReadsTheContainersDatabaseOrTheList(t *testing.T) {
	official := []string{"PATH=/usr/local/bin", "POSTGRES_USER=netbird", "POSTGRES_DB=netbird", "POSTGRES_PASSWORD=x"}
	require.Equal(t, []plannedDump{{"netbird", "dbname=netbird user=netbird", false}}, dumpPlan(config.Backup{Postgres: "pg"}, official))
	require.Equal(t, []plannedDump{{"postgres", "dbname=postgres user=postgres", false}}, dumpPlan(config.Backup{Postgres: "pg"}, nil),
		"the official image's defaults: POSTGRES_DB is the user's name")
	b := config.Backup{Postgres: "pg", PostgresUser: "backup", PostgresDatabases: config.List{"netbird", "postgres://nb@127.0.0.1:5432/netbird_events?sslmode=disable"}}
	require.Equal(t, []plannedDump{{"netbird", "dbname=netbird user=backup", false}, {"netbird_events", "postgres://nb@127.0.0.1:5432/netbird_events?sslmode=disable", true}},
		dumpPlan(b, official))
}
