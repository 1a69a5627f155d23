package audit

import (
	"fmt"
	"math"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird"
)

// OutageText and RecoveryText are the old tool's alert texts. An API that
// answers, but with a body that is not an audit list, is not "unreachable":
// it gets its own words, so nobody hunts for a network fault.
func OutageText(d time.Duration, cause error) string {
	if netbird.KindOf(cause) == netbird.KindDecode {
		return fmt.Sprintf("NetBird API answers, but its audit list could not be read for %s min (%v)", minutes(d), cause)
	}
	return fmt.Sprintf("NetBird API unreachable for %s min (%v)", minutes(d), cause)
}

func RecoveryText(d time.Duration) string {
	return fmt.Sprintf("NetBird API recovered after %s min outage", minutes(d))
}

// StoreOutageText and StoreRecoveryText are said instead when the audit
// events come from events.db (EVENTS_SOURCE=db): the API is then not what
// failed, and an operator told so would look in the wrong place.
func StoreOutageText(d time.Duration, cause error) string {
	return fmt.Sprintf("NetBird's activity store (EVENTS_DB) unreadable for %s min (%v)", minutes(d), cause)
}

func StoreRecoveryText(d time.Duration) string {
	return fmt.Sprintf("NetBird's activity store (EVENTS_DB) readable again after %s min outage", minutes(d))
}

func GapText(from, to event.ID) string {
	return fmt.Sprintf("audit events %d to %d were lost: more than 10,000 events arrived between two polls", from, to)
}

func minutes(d time.Duration) string {
	return fmt.Sprintf("%.0f", math.RoundToEven(d.Minutes()))
}
