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
	var c Cursor
	c = c.Advance("a", t0, lb)
	c = c.Advance("b", t0.Add(500*time.Millisecond), lb)
	require.False(t, c.IsNew("a", t0, lb), "read")
	require.True(t, c.IsNew("late", t0.Add(-30*time.Second), lb), "late but inside the window")
	require.False(t, c.IsNew("old", t0.Add(-2*time.Minute), lb), "before the window: counted as read")
	require.Equal(t, t0.Add(500*time.Millisecond), c.Since)

	c = c.Advance("c", t0.Add(2*time.Minute), lb)
	require.Len(t, c.Seen, 1, "a and b are behind the window now")
	require.Equal(t, t0.Add(time.Minute), c.From(lb))

	b, err := json.Marshal(c)
	require.NoError(t, err)
	var back Cursor
	require.NoError(t, json.Unmarshal(b, &back))
	require.False(t, back.IsNew("c", t0.Add(2*time.Minute), lb), "survives the state file")
}

func TestFromHasWholeSecondsSoTheServerFilterMissesNothing(t *testing.T) {
	c := Cursor{Since: t0.Add(1700 * time.Millisecond)}
	require.Equal(t, t0.Add(-9*time.Second), c.From(10*time.Second), "t0+1.7s-10s = t0-8.3s, down to the second")
}

func TestABatchAgreesWithOneRowAtATime(t *testing.T) {
	const lb = time.Minute
	start := Cursor{}.Advance("a", t0, lb)
	rows := []Seen{{"a", t0}, {"b", t0.Add(-30 * time.Second)}, {"c", t0.Add(-2 * time.Minute)}, {"d", t0.Add(90 * time.Second)}, {"b", t0.Add(-30 * time.Second)}, {"e", t0.Add(3 * time.Minute)}}
	one, batch := start, start.Begin(lb)
	for _, r := range rows {
		isNew := one.IsNew(r.Key, r.At, lb)
		if isNew {
			one = one.Advance(r.Key, r.At, lb)
		}
		require.Equal(t, isNew, batch.Take(r.Key, r.At), r.Key)
	}
	require.Equal(t, one, batch.Cursor())
	require.Equal(t, []Seen{{"e", t0.Add(3 * time.Minute)}}, one.Seen, "d at +90s is before the window from +2m")
}
