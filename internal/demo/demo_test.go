package demo

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/changes"
	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/netbird/fake"
)

func TestEveryGeneratedCodeIsARealActivityCode(t *testing.T) {
	known := map[string]bool{}
	for _, c := range event.KnownCodes {
		known[c.Code] = true
	}
	g := NewGenerator(1)
	seen := map[string]bool{}
	for range 100 {
		e := g.Next()
		require.True(t, known[e.ActivityCode], e.ActivityCode)
		seen[e.ActivityCode] = true
	}
	require.GreaterOrEqual(t, len(seen), 8, "a varied stream")
}

func TestGenerateAddsEventsUntilCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := fake.New()
		go Generate(t.Context(), f, time.Second, 7) // ends with the test's context
		time.Sleep(30 * time.Second)
		synctest.Wait()
		n := len(f.Events())
		require.InDelta(t, 30, n, 12)
		ids := map[event.ID]bool{}
		for _, e := range f.Events() {
			require.False(t, ids[e.ID])
			ids[e.ID] = true
		}
	})
}

func TestStartServesTheFixtureHistory(t *testing.T) {
	s, err := Start()
	require.NoError(t, err)
	defer s.Close()
	require.Len(t, s.Fake.Events(), 24)
	require.Contains(t, s.URL, "http://127.0.0.1:")
}

// The demo's configuration changes as its events say, so the change diffs a
// new user sees are real diffs, not "no field changed".
func TestTheSimulatedConfigurationChangesWithItsEvents(t *testing.T) {
	s, err := Start()
	require.NoError(t, err)
	defer s.Close()
	c, err := netbird.New(s.URL, fake.AuditorToken)
	require.NoError(t, err)
	tr := &changes.Tracker{API: c, Dir: t.TempDir(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	require.NoError(t, tr.Prime(t.Context()))
	g := NewGenerator(3)
	diffs, notes := 0, 0
	for range 60 {
		e := s.Fake.Add(Apply(s.Fake, g.Next()))
		evs := []event.Event{e}
		tr.Resolve(t.Context(), evs)
		if len(evs[0].Changes) > 0 {
			diffs++
		}
		if strings.HasPrefix(evs[0].ChangesNote, "no field changed") {
			notes++
		}
	}
	require.GreaterOrEqual(t, diffs, 12, "policy, group and setup-key events carry diffs")
	require.Zero(t, notes, "never 'no field changed'")
}
