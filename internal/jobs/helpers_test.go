package jobs

import (
	"log/slog"
	"testing"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/schedule"
)

// spec is the table's row for a job's variable.
func spec(t *testing.T, variable string) Spec {
	t.Helper()
	s, ok := Lookup(variable)
	if !ok {
		t.Fatalf("no job in the table is scheduled by %s", variable)
	}
	return s
}

// addJob schedules the one job of the table that variable names, as the
// Scheduler does.
func addJob(s *schedule.Scheduler, cfg *config.Config, log *slog.Logger, variable string) error {
	sp, _ := Lookup(variable)
	return add(s, cfg, Deps{Log: log}, sp)
}
