// Package state keeps what the forwarder must remember across restarts in one
// JSON file: the old Python tool's keys (last_id, outage_started,
// outage_alerted), so a user switching tools resumes where the old one
// stopped, plus birdseye's overlap window of recently forwarded ids. Unknown
// keys are kept. Writes are crash-safe: temp file, fsync, rename, fsync of the
// directory.
package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/styliteag/birdseye/internal/event"
)

// State is the content of the state file.
type State struct {
	Cursor Cursor
	// OutageStarted is when the current API outage began (wall clock, so it
	// survives restarts); zero when the API is reachable.
	OutageStarted time.Time
	// OutageAlerted is true once the outage alert went out.
	OutageAlerted bool
	// Streams holds the cursor of each other stream (traffic, proxy) as its
	// owner wrote it, under "streams"; Shared is what writes them.
	Streams map[string]json.RawMessage
	// extra holds keys this version does not know, written back unchanged.
	extra map[string]json.RawMessage
}

// ErrCorrupt wraps a state file that exists but cannot be used.
var ErrCorrupt = errors.New("state file is corrupt")

// File is a state file on disk.
type File struct {
	Path string
}

// Load reads the file. It returns (nil, nil) when the file does not exist
// (first boot) and an error wrapping ErrCorrupt when it is empty, not JSON or
// not shaped like a state file; the caller then re-seeds.
func (f File) Load() (*State, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state file %s: %w", f.Path, err)
	}
	st, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, f.Path, err)
	}
	return st, nil
}

// Decode parses the state JSON, accepting what the Python tool wrote
// (`{"last_id": 3, "outage_started": 1795421633.69, "outage_alerted": false}`).
func Decode(b []byte) (*State, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, errors.New("file is empty")
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if raw == nil {
		return nil, errors.New("not a JSON object")
	}
	st := &State{extra: map[string]json.RawMessage{}}
	var err error
	if st.Cursor.LastID, err = lastID(raw["last_id"]); err != nil {
		return nil, err
	}
	st.Cursor.Floor = st.Cursor.LastID
	if v, ok := raw["outage_started"]; ok && string(v) != "null" {
		var secs float64
		if err := json.Unmarshal(v, &secs); err != nil || secs < 0 || math.IsInf(secs, 0) {
			return nil, fmt.Errorf("outage_started %s is not unix seconds", v)
		}
		st.OutageStarted = time.Unix(0, int64(secs*1e9))
	}
	if v, ok := raw["outage_alerted"]; ok {
		if err := json.Unmarshal(v, &st.OutageAlerted); err != nil {
			return nil, fmt.Errorf("outage_alerted %s is not a boolean", v)
		}
	}
	if v, ok := raw["window"]; ok {
		var w window
		if err := json.Unmarshal(v, &w); err != nil {
			return nil, fmt.Errorf("window: %v", err)
		}
		st.Cursor.Floor = min(event.ID(w.Floor), st.Cursor.LastID)
		for _, b := range w.Seen {
			for _, id := range b.IDs {
				if event.ID(id) > st.Cursor.Floor {
					st.Cursor.seen = append(st.Cursor.seen, seenID{event.ID(id), b.At})
				}
			}
		}
	}
	if v, ok := raw["streams"]; ok && string(v) != "null" {
		if err := json.Unmarshal(v, &st.Streams); err != nil {
			return nil, fmt.Errorf("streams: %v", err)
		}
	}
	for k, v := range raw {
		switch k {
		case "last_id", "outage_started", "outage_alerted", "window", "streams":
		default:
			st.extra[k] = v
		}
	}
	return st, nil
}

// lastID accepts 5, "5" and 5.7 (the Python tool read it with int()).
func lastID(v json.RawMessage) (event.ID, error) {
	if v == nil {
		return 0, errors.New("last_id is missing")
	}
	var n json.Number
	if err := json.Unmarshal(bytes.Trim(v, `"`), &n); err != nil {
		return 0, fmt.Errorf("last_id %s is not a number", v)
	}
	f, err := n.Float64()
	if err != nil || f < 0 || f > math.MaxInt64/2 {
		return 0, fmt.Errorf("last_id %s is not a non-negative number", v)
	}
	if i, err := n.Int64(); err == nil {
		return event.ID(i), nil
	}
	return event.ID(f), nil
}

type window struct {
	Floor int64       `json:"floor"`
	Seen  []seenBatch `json:"seen"`
}

type seenBatch struct {
	At  int64   `json:"at"`
	IDs []int64 `json:"ids"`
}

// Encode writes the Python tool's three keys first, then birdseye's.
func (st *State) Encode() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"last_id": %d, "outage_started": `, st.Cursor.LastID)
	if st.OutageStarted.IsZero() {
		b.WriteString("null")
	} else {
		fmt.Fprintf(&b, "%.6f", float64(st.OutageStarted.UnixNano())/1e9)
	}
	fmt.Fprintf(&b, `, "outage_alerted": %t`, st.OutageAlerted)
	w, _ := json.Marshal(window{Floor: int64(st.Cursor.Floor), Seen: st.Cursor.batches()})
	b.WriteString(`, "window": `)
	b.Write(w)
	if len(st.Streams) > 0 {
		sj, _ := json.Marshal(st.Streams) // sorted keys, raw values kept
		b.WriteString(`, "streams": `)
		b.Write(sj)
	}
	keys := make([]string, 0, len(st.extra))
	for k := range st.extra {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		kb, _ := json.Marshal(k)
		b.WriteString(", ")
		b.Write(kb)
		b.WriteString(": ")
		b.Write(st.extra[k])
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// Save writes st atomically: a crash leaves either the old or the new file.
func (f File) Save(st *State) error {
	return WriteAtomic(f.Path, st.Encode())
}

// WriteAtomic writes data to path via a temp file in the same directory,
// fsyncs it, renames it over path and fsyncs the directory, so that neither a
// crash nor a power cut leaves an empty or half-written file.
func WriteAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create state directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write state file: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write state file: %w", err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write state file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync state file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write state file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replace state file: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync state directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync state directory: %w", err)
	}
	return nil
}

// Quarantine renames a corrupt state file aside (state.json.corrupt-<unix>)
// so that it can be looked at, and returns the new name.
func (f File) Quarantine(now time.Time) (string, error) {
	to := fmt.Sprintf("%s.corrupt-%d", f.Path, now.Unix())
	return to, os.Rename(f.Path, to)
}
