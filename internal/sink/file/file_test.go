package file

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/sinktest"
)

// reader is a log shipper: it reads every line of the file and its
// rotated predecessors and parses each one.
type reader struct {
	t    *testing.T
	path string
}

func (r reader) lines() []event.Event {
	var out []event.Event
	for _, p := range []string{r.path + ".3", r.path + ".2", r.path + ".1", r.path} {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			var e event.Event
			require.NoError(r.t, json.Unmarshal(sc.Bytes(), &e), "every line is one JSON event")
			out = append(out, e)
		}
		f.Close()
	}
	return out
}

func (r reader) Events() int   { return len(r.lines()) }
func (r reader) Requests() int { return r.Events() }
func (r reader) Fail(f sinktest.Failure) bool {
	switch f {
	case sinktest.OK:
		os.Remove(r.path)
		return true
	case sinktest.ServerError: // something in the way, as a full or broken disk would be
		require.NoError(r.t, os.Mkdir(r.path, 0o700))
		return true
	}
	return false
}
func (r reader) Secrets() []string { return nil }

func TestFileConformance(t *testing.T) {
	sinktest.Run(t, func(t *testing.T) (sink.Sink, sinktest.Receiver) {
		p := filepath.Join(t.TempDir(), "events.jsonl")
		return New(Config{Path: p, MaxBytes: 1 << 20, Keep: 3}), reader{t, p}
	})
}

func TestTheFileRotatesBySizeAndKeepsTheNewest(t *testing.T) {
	p := filepath.Join(t.TempDir(), "events.jsonl")
	s := New(Config{Path: p, MaxBytes: 4000, Keep: 2})
	for i := range 30 {
		evs := sinktest.Events(3, 0)
		for j := range evs {
			evs[j].ID = event.ID(i*3 + j + 1)
		}
		require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: evs}))
	}
	for _, f := range []string{p, p + ".1", p + ".2"} {
		st, err := os.Stat(f)
		require.NoError(t, err)
		require.LessOrEqual(t, st.Size(), int64(4000))
	}
	require.NoFileExists(t, p+".3", "FILE_SINK_KEEP=2")
	got := reader{t, p}.lines()
	require.Equal(t, event.ID(90), got[len(got)-1].ID, "the newest is last, in the current file")
	for i := 1; i < len(got); i++ {
		require.Equal(t, got[i-1].ID+1, got[i].ID, "the kept files hold an unbroken run")
	}
}
