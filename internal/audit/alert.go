package audit

import (
	"fmt"
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
