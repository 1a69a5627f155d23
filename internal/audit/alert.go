package audit

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/styliteag/birdseye/internal/event"
)

// OutageText and RecoveryText are the old tool's alert texts.
func OutageText(d time.Duration, cause error) string {
	return fmt.Sprintf("NetBird API unreachable for %s min (%v)", minutes(d), cause)
}

func RecoveryText(d time.Duration) string {
	return fmt.Sprintf("NetBird API recovered after %s min outage", minutes(d))
}

func GapText(from, to event.ID) string {
	return fmt.Sprintf("audit events %d to %d were lost: more than 10,000 events arrived between two polls", from, to)
}

func minutes(d time.Duration) string {
	return fmt.Sprintf("%.0f", math.RoundToEven(d.Minutes()))
}

// LogAlerter reports alerts in the log only; the sinks add their own
// destinations.
type LogAlerter struct{ Log *slog.Logger }

func (a LogAlerter) Outage(_ context.Context, d time.Duration, cause error) {
	a.Log.Error(OutageText(d, cause))
}

func (a LogAlerter) Recovered(_ context.Context, d time.Duration) {
	a.Log.Info(RecoveryText(d))
}

func (a LogAlerter) Gap(_ context.Context, from, to event.ID) {
	a.Log.Error(GapText(from, to))
}
