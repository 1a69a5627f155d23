package state

import (
	"encoding/json"
	"maps"
	"sync"
	"time"
)

// Shared is the one writer of a state file that several loops keep their
// place in: the audit poller owns the Python tool's keys and the window, and
// each other stream (traffic, proxy) its cursor under "streams". Every save
// writes the whole file under one lock from the newest part of each owner,
// so no loop's save can undo another's, and keys this version does not know
// survive.
type Shared struct {
	File File

	mu      sync.Mutex
	audit   *State // a private copy of what the audit poller saved last
	streams map[string]json.RawMessage
	ready   chan struct{}
	once    sync.Once
}

// NewShared wraps f.
func NewShared(f File) *Shared {
	return &Shared{File: f, streams: map[string]json.RawMessage{}, ready: make(chan struct{})}
}

// Load reads the file for the audit poller (see File.Load) and remembers the
// stream cursors in it.
func (s *Shared) Load() (*State, error) {
	st, err := s.File.Load()
	if err != nil || st == nil {
		return st, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	maps.Copy(s.streams, st.Streams)
	s.keep(st)
	return st, nil
}

// Save writes the audit poller's state with the streams' newest cursors.
func (s *Shared) Save(st *State) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st.Streams = maps.Clone(s.streams)
	if err := s.File.Save(st); err != nil {
		return err
	}
	s.keep(st)
	return nil
}

// Quarantine moves a corrupt file aside (see File.Quarantine).
func (s *Shared) Quarantine(now time.Time) (string, error) { return s.File.Quarantine(now) }

// keep stores a copy of st the audit poller cannot change under us.
func (s *Shared) keep(st *State) {
	cp, err := Decode(st.Encode())
	if err == nil {
		s.audit = cp
		s.once.Do(func() { close(s.ready) })
	}
}

// Ready is closed once the audit part of the file exists (loaded or first
// saved). A stream must not write before: a file without last_id would make
// the audit poller forward the whole audit log as new.
func (s *Shared) Ready() <-chan struct{} { return s.ready }

// Stream returns a stream's saved cursor, nil when it has none.
func (s *Shared) Stream(name string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.streams[name]
}

// SaveStream writes a stream's cursor. Before Ready it is only kept in
// memory, and written with the audit poller's first save.
func (s *Shared) SaveStream(name string, cursor json.RawMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.streams[name] = cursor
	if s.audit == nil {
		return nil
	}
	s.audit.Streams = maps.Clone(s.streams)
	return s.File.Save(s.audit)
}
