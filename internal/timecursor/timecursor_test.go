package timecursor

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func TestACursorSkipsWhatItReadAndForgetsWhatTheWindowPassed(t *testing.T) {
	const lb = time.Minute
	b := Cursor{}.Begin(lb)
	require.True(t, b.Take("a", t0))
	require.True(t, b.Take("b", t0.Add(500*time.Millisecond)))
	require.False(t, b.Take("a", t0), "read in this batch")
	c := b.Cursor()
	require.Equal(t, t0.Add(500*time.Millisecond), c.Since)

	b = c.Begin(lb)
	require.False(t, b.Take("b", t0.Add(500*time.Millisecond)), "read in the last batch")
	require.True(t, b.Take("late", t0.Add(-30*time.Second)), "late but inside the window")
	require.False(t, b.Take("old", t0.Add(-2*time.Minute)), "before the window: counted as read")
	require.True(t, b.Take("c", t0.Add(2*time.Minute)))
	require.True(t, b.Take("late2", t0.Add(-20*time.Second)), "the window does not move within a batch: any order works")
	c = b.Cursor()
	require.Equal(t, []Seen{{"c", t0.Add(2 * time.Minute)}}, c.Seen, "the rest is behind the window from +1m now")
	require.Equal(t, t0.Add(time.Minute), c.From(lb))

	raw, err := json.Marshal(c)
	require.NoError(t, err)
	var back Cursor
	require.NoError(t, json.Unmarshal(raw, &back))
	require.False(t, back.Begin(lb).Take("c", t0.Add(2*time.Minute)), "survives the state file")
}

func TestFromHasWholeSecondsSoTheServerFilterMissesNothing(t *testing.T) {
	c := Cursor{Since: t0.Add(1700 * time.Millisecond)}
	require.Equal(t, t0.Add(-9*time.Second), c.From(10*time.Second), "t0+1.7s-10s = t0-8.3s, down to the second")
}
