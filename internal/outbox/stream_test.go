package outbox

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// rows are proxy-log rows, all at the same second as a busy service logs them.
func rows(keys ...string) []event.Event {
	var out []event.Event
	for _, k := range keys {
		out = append(out, event.Event{Stream: event.StreamProxy, Key: k, Timestamp: t0.Format(time.RFC3339Nano), ActivityCode: "proxy.failed"})
	}
	return out
}

func keysOf(b sink.Batch) []string {
	var out []string
	for _, e := range b.Events {
		out = append(out, e.Key)
	}
	return out
}

func TestStreamRowsOfferedAgainAfterACrashAreQueuedOnce(t *testing.T) {
	dir := t.TempDir()
	b, err := Open(dir, "mattermost", 100)
	require.NoError(t, err)
	require.NoError(t, b.Enqueue(rows("a", "b"), nil))
	require.NoError(t, os.Remove(filepath.Join(dir, "meta.json"))) // crash before meta.json

	again, err := Open(dir, "mattermost", 100)
	require.NoError(t, err)
	require.NoError(t, again.Enqueue(rows("a", "b", "c"), nil)) // the poll repeated after the crash
	batch, tk := again.Peek(0)
	require.Equal(t, []string{"a", "b", "c"}, keysOf(batch))
	require.NoError(t, again.Ack(tk))

	third, err := Open(dir, "mattermost", 100)
	require.NoError(t, err)
	require.NoError(t, third.Enqueue(rows("b", "c", "d"), nil))
	batch, _ = third.Peek(0)
	require.Equal(t, []string{"d"}, keysOf(batch), "delivered rows are remembered across a restart")
}

func TestAuditEventsAndStreamRowsDoNotShadowEachOther(t *testing.T) {
	b, err := Open(t.TempDir(), "m", 100)
	require.NoError(t, err)
	traffic := rows("1")
	traffic[0].Stream = event.StreamTraffic
	mixed := append(append(evs(1), rows("1")...), traffic...)
	require.NoError(t, b.Enqueue(mixed, nil))
	batch, _ := b.Peek(0)
	require.Len(t, batch.Events, 3, "audit id 1, proxy row 1 and traffic row 1 are three things")
	require.NoError(t, b.Enqueue(mixed, nil))
	batch, _ = b.Peek(0)
	require.Len(t, batch.Events, 3)
}

func TestARowNotQueuedBecauseTheDiskFailedIsNotCountedAsAccepted(t *testing.T) {
	dir := t.TempDir()
	b, err := Open(dir, "m", 100)
	require.NoError(t, err)
	// A directory where the segment file must go makes its rename fail, even for root.
	blocker := b.segPath(1)
	require.NoError(t, os.Mkdir(blocker, 0o700))
	require.Error(t, b.Enqueue(rows("a"), nil))
	require.NoError(t, os.Remove(blocker))
	require.NoError(t, b.Enqueue(rows("a"), nil), "offered again next poll")
	batch, _ := b.Peek(0)
	require.Equal(t, []string{"a"}, keysOf(batch))
}
