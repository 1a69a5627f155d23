// Package outbox gives each sink a durable queue under the state directory,
// so a sink that is down loses nothing: the poll hands events to every
// outbox before it advances its cursor, and each sink drains its own outbox
// with retries, removing only what it delivered.
//
// On disk an outbox is a directory of segment files (one per poll that had
// something for the sink, written atomically) and meta.json, which holds the
// ids the outbox has accepted (a cursor like the poller's, so that offering
// the same events twice after a crash queues them once) and the number of
// events dropped because the outbox was full.
package outbox

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/state"
	"github.com/styliteag/birdseye/internal/timecursor"
)

// Box is one sink's outbox. It is safe for concurrent use: the poll enqueues
// while the drainer peeks and acknowledges.
type Box struct {
	name string
	dir  string
	max  int

	mu       sync.Mutex
	accepted state.Cursor
	streams  map[string]timecursor.Cursor // accepted rows of the other streams
	dropped  int
	nextSeq  uint64
	segs     []segment // pending, oldest first
	ready    chan struct{}

	// setAside names the files found corrupt and renamed instead of
	// failing (a crash loop would stop every sink, stdout too); Problems
	// hands them to whoever says so loudly.
	setAside []string
}

// Problems returns, once each, the files set aside since the last call.
func (b *Box) Problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.setAside
	b.setAside = nil
	return p
}

// segment is one queued segment file as memory knows it: how many events
// it holds, not the events. They stay on disk and are read when a batch
// goes out, so a long queue costs disk, not memory (SINK_QUEUE_MAX=0 and a
// sink down for days must not grow the process).
type segment struct {
	seq    uint64
	at     time.Time // when it was queued
	n      int       // events in the file
	alerts []string
}

type segmentFile struct {
	At     time.Time     `json:"at"`
	Events []event.Event `json:"events,omitempty"`
	Alerts []string      `json:"alerts,omitempty"`
}

type metaFile struct {
	Accepted state.Cursor                 `json:"accepted"`
	Streams  map[string]timecursor.Cursor `json:"streams,omitempty"`
	Dropped  int                          `json:"dropped"`
	NextSeq  uint64                       `json:"next_seq"`
}

// Open loads (or creates) the outbox of sink name in dir; limit bounds the
// number of queued events (SINK_QUEUE_MAX; 0 = unbounded).
func Open(dir, name string, limit int) (*Box, error) {
	b := &Box{name: name, dir: dir, max: limit, ready: make(chan struct{}, 1), accepted: state.Seed(0), streams: map[string]timecursor.Cursor{}, nextSeq: 1}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open %s outbox: %w", name, err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil && errors.Is(err, syscall.EISDIR):
		// Not ours to read (a hand-made directory): set aside as a corrupt
		// file is, so the daemon does not stop at every start.
		kept, qerr := setAside(filepath.Join(dir, "meta.json"))
		if qerr != nil {
			return nil, fmt.Errorf("open %s outbox: %s/meta.json is a directory and cannot be set aside: %w", name, dir, qerr)
		}
		b.setAside = append(b.setAside, fmt.Sprintf("meta.json is a directory; kept as %s; the outbox starts a new record of what it holds", kept))
	case err != nil:
		return nil, fmt.Errorf("open %s outbox: %w", name, err)
	default:
		var m metaFile
		if err := json.Unmarshal(raw, &m); err != nil {
			kept, qerr := setAside(filepath.Join(dir, "meta.json"))
			if qerr != nil {
				return nil, fmt.Errorf("open %s outbox: %s/meta.json is corrupt (%v) and cannot be set aside: %w", name, dir, err, qerr)
			}
			b.setAside = append(b.setAside, fmt.Sprintf("meta.json is corrupt (%v); kept as %s; the outbox starts a new record of what it holds", err, kept))
			break
		}
		b.accepted, b.dropped, b.nextSeq = m.Accepted, m.Dropped, max(m.NextSeq, 1)
		if m.Streams != nil {
			b.streams = m.Streams
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("open %s outbox: %w", name, err)
	}
	for _, e := range entries {
		seq, ok := segSeq(e.Name())
		if !ok {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("open %s outbox: %w", name, err)
		}
		var f segmentFile
		if err := json.Unmarshal(raw, &f); err != nil {
			kept, qerr := setAside(filepath.Join(dir, e.Name()))
			if qerr != nil {
				return nil, fmt.Errorf("open %s outbox: segment %s is corrupt (%v) and cannot be set aside: %w", name, e.Name(), err, qerr)
			}
			b.setAside = append(b.setAside, fmt.Sprintf("segment %s is corrupt (%v); kept as %s; the events it held do not reach this sink", e.Name(), err, kept))
			continue
		}
		b.segs = append(b.segs, segment{seq: seq, at: f.At, n: len(f.Events), alerts: f.Alerts})
		// A crash between writing a segment and meta.json: the segment counts.
		b.accepted.Advance(ids(f.Events), time.Now())
		_, commit := b.newRows(f.Events)
		commit()
		b.nextSeq = max(b.nextSeq, seq+1)
	}
	slices.SortFunc(b.segs, func(x, y segment) int { return cmp.Compare(x.seq, y.seq) })
	if len(b.segs) > 0 {
		b.signal()
	}
	return b, nil
}

// Name is the sink's name.
func (b *Box) Name() string { return b.name }

// Deliver queues a batch (this is how the poll's dispatcher hands events to
// a sink with an outbox). Events the outbox accepted before are left out.
func (b *Box) Deliver(_ context.Context, batch sink.Batch) error {
	return b.Enqueue(batch.Events, batch.Alerts)
}

// Enqueue queues events and alerts durably, then wakes the drainer.
func (b *Box) Enqueue(evs []event.Event, alerts []string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	fresh, commitRows := b.newRows(evs)
	if len(fresh) == 0 && len(alerts) == 0 {
		return nil
	}
	dropped := 0
	if b.max > 0 && len(fresh) > b.max {
		dropped = len(fresh) - b.max
		fresh = fresh[dropped:]
	}
	seg := segment{seq: b.nextSeq, at: time.Now(), n: len(fresh), alerts: alerts}
	if err := b.writeSegment(seg, fresh); err != nil {
		return err
	}
	b.segs = append(b.segs, seg)
	b.nextSeq++
	b.accepted.Advance(ids(fresh), time.Now())
	commitRows()
	// Full: drop the oldest events; alerts are kept.
	for i := 0; b.max > 0 && b.Len() > b.max && i < len(b.segs); i++ {
		n := min(b.Len()-b.max, b.segs[i].n)
		if err := b.trim(&b.segs[i], n, false); err != nil {
			return err
		}
		dropped += n
	}
	b.segs = slices.DeleteFunc(b.segs, segment.empty)
	b.dropped += dropped
	if err := b.writeMeta(); err != nil {
		return err
	}
	b.signal()
	return nil
}

// Len is the number of queued events.
func (b *Box) Len() int {
	n := 0
	for _, s := range b.segs {
		n += s.n
	}
	return n
}

// Pending is the number of queued events (locked, for metrics and tests).
func (b *Box) Pending() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Len()
}

// Room is how many more events fit before the oldest are dropped, or -1
// when the outbox has no limit.
func (b *Box) Room() int {
	if b.max <= 0 {
		return -1
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return max(0, b.max-b.Len())
}

// Ready is signalled when something was queued.
func (b *Box) Ready() <-chan struct{} { return b.ready }

func (b *Box) signal() {
	select {
	case b.ready <- struct{}{}:
	default:
	}
}

// Ticket identifies what a Peek handed out, for Ack.
type Ticket struct {
	upTo    uint64 // segments with seq ≤ upTo
	dropped int
	skipped int       // events left out by the cap, oldest first
	events  int       // events handed out
	Oldest  time.Time // when the oldest handed-out item was queued
}

// MaxBatch is the most events one Peek hands out when no catch-up cap
// applies: a sink that takes everything (webhook, syslog, file) gets a long
// backlog in batches of this size, oldest first, one after the other.
const MaxBatch = 1000

// Peek returns what is queued as one batch, plus the dropped count. With a
// cap (maxCatchup > 0) it is everything, cut to the newest maxCatchup
// events with the number skipped: people are told what they missed rather
// than flooded. Without one it is the oldest MaxBatch events and the alerts
// queued with them. It removes nothing: call Ack after a successful delivery.
func (b *Box) Peek(maxCatchup int) (sink.Batch, Ticket) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out sink.Batch
	var t Ticket
	// skip is how many of the oldest events the cap leaves out; they are
	// counted, never read.
	skip := 0
	if maxCatchup > 0 {
		skip = max(0, b.Len()-maxCatchup)
	}
	out.Skipped = skip
	for i := 0; i < len(b.segs); i++ {
		s := &b.segs[i]
		if maxCatchup <= 0 && i > 0 && len(out.Events) >= MaxBatch {
			break
		}
		if i == 0 {
			t.Oldest = s.at
		}
		out.Alerts = append(out.Alerts, s.alerts...)
		t.upTo = s.seq
		if skip >= s.n {
			skip -= s.n
			continue
		}
		evs, err := b.read(*s)
		if err != nil {
			// Unreadable (a bad block, a hand edit): set aside, counted as
			// dropped, so the sink is told and the queue moves on.
			b.lost(s, err)
			continue
		}
		evs = evs[skip:]
		skip = 0
		if maxCatchup <= 0 {
			evs = evs[:min(len(evs), MaxBatch-len(out.Events))]
		}
		out.Events = append(out.Events, evs...)
	}
	b.segs = slices.DeleteFunc(b.segs, segment.empty)
	out.Dropped, t.dropped, t.skipped, t.events = b.dropped, b.dropped, out.Skipped, len(out.Events)
	return out, t
}

// Ack removes what a Peek handed out and was delivered. It forgets the
// events in memory even when a file cannot be removed (the error says so), so
// a delivered batch is never sent again while the process runs.
func (b *Box) Ack(t Ticket) error {
	return b.AckPartial(t, t.events)
}

// AckPartial removes the alerts and notices of what a Peek handed out, the
// events the cap skipped, and the first delivered events of the batch; the
// rest stays queued for the next attempt.
func (b *Box) AckPartial(t Ticket, delivered int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var errs []error
	remove := t.skipped + delivered
	for i := range b.segs {
		s := &b.segs[i]
		if s.seq > t.upTo {
			break
		}
		n := min(remove, s.n)
		remove -= n
		if err := b.trim(s, n, true); err != nil {
			errs = append(errs, err)
		}
	}
	b.segs = slices.DeleteFunc(b.segs, segment.empty)
	b.dropped -= t.dropped
	errs = append(errs, b.writeMeta())
	return errors.Join(errs...)
}

// setAside renames a corrupt file to <name>.corrupt-<time>, as the state
// file's quarantine does, and returns the new path.
func setAside(path string) (string, error) {
	kept := path + ".corrupt-" + time.Now().UTC().Format("20060102T150405Z")
	return kept, os.Rename(path, kept)
}

func (b *Box) segPath(seq uint64) string {
	return filepath.Join(b.dir, fmt.Sprintf("seg-%020d.json", seq))
}

func segSeq(name string) (uint64, bool) {
	if !strings.HasPrefix(name, "seg-") || !strings.HasSuffix(name, ".json") {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(name, "seg-"), ".json"), 10, 64)
	return n, err == nil
}

func (b *Box) writeMeta() error {
	raw, err := json.Marshal(metaFile{Accepted: b.accepted, Streams: b.streams, Dropped: b.dropped, NextSeq: b.nextSeq})
	if err != nil {
		return err
	}
	if err := state.WriteAtomic(filepath.Join(b.dir, "meta.json"), raw); err != nil {
		return fmt.Errorf("%s outbox: %w", b.name, err)
	}
	return nil
}
