package app

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/outbox"
	"github.com/styliteag/birdseye/internal/sink"
)

type named string

func (n named) Name() string                              { return string(n) }
func (n named) Deliver(context.Context, sink.Batch) error { return nil }

// The store's reading held back by a slow sink is said once, naming the
// sink, and its end once.
func TestHeldBackReadingIsSaidOnceAndItsEndOnce(t *testing.T) {
	box, err := outbox.Open(t.TempDir(), "webhook", 3)
	require.NoError(t, err)
	var logs bytes.Buffer
	room := heldBack([]*outbox.Drainer{{Box: box, Sink: named("webhook")}}, slog.New(slog.NewTextHandler(&logs, nil)))
	require.Equal(t, 3, room())
	require.NoError(t, box.Enqueue([]event.Event{{ID: 1}, {ID: 2}, {ID: 3}}, nil))
	require.Equal(t, 0, room())
	require.Equal(t, 0, room())
	require.Equal(t, 1, strings.Count(logs.String(), "reading the activity store is held back"))
	require.Contains(t, logs.String(), "sink=webhook")
	_, ticket := box.Peek(0)
	require.NoError(t, box.Ack(ticket))
	require.Equal(t, 3, room())
	require.Equal(t, 1, strings.Count(logs.String(), "reading the activity store goes on"))
}
