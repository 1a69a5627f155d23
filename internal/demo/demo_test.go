package demo

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
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
