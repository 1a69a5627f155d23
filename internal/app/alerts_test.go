package app

import (
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/outbox"
)

func TestOutageAlertsNameTheSourceTheEventsComeFrom(t *testing.T) {
	for _, c := range []struct {
		fromStore bool
		outage    string
		recovered string
	}{
		{false, "NetBird API unreachable for 10 min (boom)", "NetBird API recovered after 10 min outage"},
		{true, "NetBird's activity store (EVENTS_DB) unreadable for 10 min (boom)", "NetBird's activity store (EVENTS_DB) readable again after 10 min outage"},
	} {
		box, err := outbox.Open(t.TempDir(), "webhook", 10)
		require.NoError(t, err)
		a := &alerts{log: slog.New(slog.NewTextHandler(io.Discard, nil)), boxes: []*outbox.Box{box}, fromStore: c.fromStore}
		a.Outage(t.Context(), 10*time.Minute, errors.New("boom"))
		a.Recovered(t.Context(), 10*time.Minute)
		b, _ := box.Peek(10)
		require.Equal(t, []string{c.outage, c.recovered}, b.Alerts)
	}
}
