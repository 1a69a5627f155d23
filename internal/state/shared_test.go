package state

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
)

func TestAStreamCursorIsNotWrittenBeforeTheAuditCursorExists(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state.json")
	s := NewShared(File{p})
	st, err := s.Load()
	require.NoError(t, err)
	require.Nil(t, st)
	require.NoError(t, s.SaveStream("proxy", json.RawMessage(`{"since":"2026-11-23T08:00:00Z"}`)))
	require.NoFileExists(t, p, "a file without last_id would make the audit poller forward everything")
	select {
	case <-s.Ready():
		t.Fatal("ready before the audit cursor exists")
	default:
	}

	require.NoError(t, s.Save(&State{Cursor: Seed(42)}))
	<-s.Ready()
	got, err := File{p}.Load()
	require.NoError(t, err)
	require.Equal(t, event.ID(42), got.Cursor.LastID)
	require.JSONEq(t, `{"since":"2026-11-23T08:00:00Z"}`, string(got.Streams["proxy"]), "kept in memory, written with the audit save")
}

func TestTheAuditAndTheStreamsNeverUndoEachOthersSaves(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state.json")
	require.NoError(t, os.WriteFile(p, []byte(`{"last_id": 7, "from_a_newer_version": {"x": 1}, "streams": {"traffic": {"since": "a"}, "future": [1]}}`), 0o600))
	s := NewShared(File{p})
	st, err := s.Load()
	require.NoError(t, err)
	<-s.Ready()
	require.JSONEq(t, `{"since": "a"}`, string(s.Stream("traffic")))

	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 50 {
			st.Cursor.Advance([]event.ID{event.ID(8 + i)}, time.Now())
			require.NoError(t, s.Save(st))
		}
	})
	wg.Go(func() {
		for i := range 50 {
			require.NoError(t, s.SaveStream("proxy", json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))))
		}
	})
	wg.Wait()

	got, err := File{p}.Load()
	require.NoError(t, err)
	require.Equal(t, event.ID(57), got.Cursor.LastID, "the audit's last save is in the file")
	require.JSONEq(t, `{"n":49}`, string(got.Streams["proxy"]), "the stream's last save is in the file")
	require.JSONEq(t, `{"since": "a"}`, string(got.Streams["traffic"]))
	require.JSONEq(t, `[1]`, string(got.Streams["future"]), "a stream this version does not know survives")
	require.JSONEq(t, `{"x": 1}`, string(got.extra["from_a_newer_version"]), "unknown keys survive")
}
