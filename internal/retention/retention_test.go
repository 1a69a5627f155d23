package retention

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A year of nightly backups, one every day at 03:00 UTC.
func nightly(from time.Time, days int) []string {
	var out []string
	for d := range days {
		out = append(out, fmt.Sprintf("netbird-prod-%s.zip", from.AddDate(0, 0, d).Format("20060102T150405Z")))
	}
	return out
}

func kept(all, drop []string) []string {
	gone := map[string]bool{}
	for _, d := range drop {
		gone[d] = true
	}
	var out []string
	for _, a := range all {
		if !gone[a] {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

func TestGrandfatherFatherSonOverAYearOfNightlyBackups(t *testing.T) {
	all := nightly(time.Date(2025, 12, 1, 3, 0, 0, 0, time.UTC), 365) // up to 2026-11-30
	left := kept(all, Drop(all, Policy{Daily: 7, Weekly: 4, Monthly: 12}))
	// 7 days (Nov 24-30); the newest of the 4 newest ISO weeks (Mon Nov 30
	// in week 49, then the Sundays Nov 29, 22, 15); the newest of each of
	// the 12 newest months (Nov 30, then the month ends Oct 31 … Dec 31).
	require.Equal(t, []string{
		"netbird-prod-20251231T030000Z.zip", "netbird-prod-20260131T030000Z.zip", "netbird-prod-20260228T030000Z.zip",
		"netbird-prod-20260331T030000Z.zip", "netbird-prod-20260430T030000Z.zip", "netbird-prod-20260531T030000Z.zip",
		"netbird-prod-20260630T030000Z.zip", "netbird-prod-20260731T030000Z.zip", "netbird-prod-20260831T030000Z.zip",
		"netbird-prod-20260930T030000Z.zip", "netbird-prod-20261031T030000Z.zip",
		"netbird-prod-20261115T030000Z.zip", "netbird-prod-20261122T030000Z.zip",
		"netbird-prod-20261124T030000Z.zip", "netbird-prod-20261125T030000Z.zip", "netbird-prod-20261126T030000Z.zip",
		"netbird-prod-20261127T030000Z.zip", "netbird-prod-20261128T030000Z.zip", "netbird-prod-20261129T030000Z.zip",
		"netbird-prod-20261130T030000Z.zip",
	}, left)
}

func TestTheNewestNAndNamesWithoutAStamp(t *testing.T) {
	all := append(nightly(time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC), 5), "netbird-prod-notes.zip")
	require.Equal(t, []string{"netbird-prod-20261101T030000Z.zip", "netbird-prod-20261102T030000Z.zip"}, Drop(all, Policy{Last: 3}))
	require.Empty(t, Drop(all, Policy{}), "no policy keeps everything")
	ts, ok := Stamp("netbird-prod-20261101T030000Z.tar.gz.age")
	require.True(t, ok)
	require.Equal(t, time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC), ts)
}
