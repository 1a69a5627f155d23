package state

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
)

func TestALateLowerIDInsideTheWindowIsNewOnce(t *testing.T) {
	c := Seed(100)
	now := time.Unix(1_800_000_000, 0)
	c.Advance([]event.ID{101, 103}, now) // 102 committed late
	require.Equal(t, event.ID(103), c.LastID)
	require.True(t, c.IsNew(102))
	require.False(t, c.IsNew(101))
	require.False(t, c.IsNew(100))
	c.Advance([]event.ID{102}, now)
	require.False(t, c.IsNew(102))
	require.Equal(t, event.ID(103), c.LastID)
}

func TestTheWindowKeepsTheNewestIDsAndRecentOnes(t *testing.T) {
	c := Seed(0)
	old := time.Unix(1_800_000_000, 0)
	var ids []event.ID
	for i := 1; i <= 3000; i++ {
		if i%2 == 0 { // every other id is a hole
			continue
		}
		ids = append(ids, event.ID(i))
	}
	c.Advance(ids, old)
	require.Equal(t, 1500, c.Seen(), "all forwarded within WindowAge: kept")
	require.True(t, c.IsNew(2), "hole inside the window")

	later := old.Add(WindowAge + time.Minute)
	c.Advance([]event.ID{3001}, later)
	require.Equal(t, WindowIDs, c.Seen(), "older than WindowAge: only the newest WindowIDs stay")
	require.Equal(t, event.ID(1001), c.Floor)
	require.False(t, c.IsNew(1000), "below the floor")
	require.True(t, c.IsNew(1002), "a hole still inside the window")
}

func TestTheWindowNeverExceedsWindowMax(t *testing.T) {
	c := Seed(0)
	now := time.Unix(1_800_000_000, 0)
	var ids []event.ID
	for i := 1; i <= WindowMax+500; i++ {
		ids = append(ids, event.ID(i))
	}
	c.Advance(ids, now)
	require.Equal(t, WindowMax, c.Seen())
	require.Equal(t, event.ID(500), c.Floor)
}
