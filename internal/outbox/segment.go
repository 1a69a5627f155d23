package outbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/state"
)

func (s segment) empty() bool { return s.n == 0 && len(s.alerts) == 0 }

// read loads a segment's events from its file.
func (b *Box) read(s segment) ([]event.Event, error) {
	raw, err := os.ReadFile(b.segPath(s.seq))
	if err != nil {
		return nil, err
	}
	var f segmentFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, err
	}
	if len(f.Events) != s.n {
		return nil, fmt.Errorf("holds %d events, expected %d", len(f.Events), s.n)
	}
	return f.Events, nil
}

// trim removes the first n events of a segment (and, with dropAlerts, its
// alerts): the file goes when nothing is left, else it is rewritten.
func (b *Box) trim(s *segment, n int, dropAlerts bool) error {
	if n == 0 && (!dropAlerts || len(s.alerts) == 0) {
		return nil
	}
	if dropAlerts {
		s.alerts = nil
	}
	if n >= s.n && len(s.alerts) == 0 {
		s.n = 0
		if err := os.Remove(b.segPath(s.seq)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s outbox: remove delivered segment: %w", b.name, err)
		}
		return nil
	}
	evs, err := b.read(*s)
	if err != nil {
		b.lost(s, err)
		return nil
	}
	evs = evs[min(n, len(evs)):]
	s.n = len(evs)
	return b.writeSegment(*s, evs)
}

// lost sets an unreadable segment aside; its events count as dropped.
func (b *Box) lost(s *segment, cause error) {
	if errors.Is(cause, fs.ErrNotExist) {
		b.setAside = append(b.setAside, fmt.Sprintf("segment %d is gone (deleted from %s while birdseye ran); its %d events do not reach this sink", s.seq, b.dir, s.n))
		b.dropped += s.n
		s.n = 0
		return
	}
	kept, err := setAside(b.segPath(s.seq))
	if err != nil {
		os.Remove(b.segPath(s.seq))
	}
	b.setAside = append(b.setAside, fmt.Sprintf("segment %d could not be read (%v); kept as %s; its %d events do not reach this sink", s.seq, cause, kept, s.n))
	b.dropped += s.n
	s.n = 0
}

func (b *Box) writeSegment(s segment, evs []event.Event) error {
	raw, err := json.Marshal(segmentFile{At: s.at, Events: evs, Alerts: s.alerts})
	if err != nil {
		return err
	}
	if err := state.WriteAtomic(b.segPath(s.seq), raw); err != nil {
		return fmt.Errorf("%s outbox: %w", b.name, err)
	}
	return nil
}
