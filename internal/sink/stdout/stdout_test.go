package stdout

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
)

func ev(id event.ID, code string) event.Event {
	return event.Event{ID: id, ActivityCode: code, Activity: "x", Timestamp: "2026-11-23T07:13:10Z", InitiatorID: "sys"}
}

func TestDeliverPrintsOneLinePerEvent(t *testing.T) {
	var out bytes.Buffer
	s := New(&out, time.UTC)
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: []event.Event{ev(1, "policy.update"), ev(2, "user.join")}}))
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 2)
	require.True(t, strings.HasPrefix(lines[0], "2026-11-23 07:13:10  policy.update "))
	require.True(t, strings.HasPrefix(lines[1], "2026-11-23 07:13:10  user.join "))
}

func TestEmptyBatchWritesNothingAndCancelledContextIsHonoured(t *testing.T) {
	var out bytes.Buffer
	s := New(&out, time.UTC)
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{}))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, s.Deliver(ctx, sink.Batch{Events: []event.Event{ev(1, "a")}}), context.Canceled)
	require.Zero(t, out.Len())
}

type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestAWriteFailureIsReported(t *testing.T) {
	err := New(failing{}, time.UTC).Deliver(t.Context(), sink.Batch{Events: []event.Event{ev(1, "a")}})
	require.ErrorContains(t, err, "write to stdout: broken pipe")
}

func TestConcurrentBatchesDoNotInterleave(t *testing.T) {
	var out bytes.Buffer
	s := New(&out, time.UTC)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			var evs []event.Event
			for i := range 50 {
				evs = append(evs, ev(event.ID(g*100+i), "group"+string(rune('a'+g))))
			}
			require.NoError(t, s.Deliver(context.Background(), sink.Batch{Events: evs}))
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 400)
	for i := 0; i < 400; i += 50 {
		code := strings.Fields(lines[i])[2]
		for _, l := range lines[i : i+50] {
			require.Equal(t, code, strings.Fields(l)[2])
		}
	}
}
