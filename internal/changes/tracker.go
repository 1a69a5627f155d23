// Package changes says what an audit event changed. NetBird's audit log
// says "Policy updated" and nothing more; birdseye keeps snapshots of the
// configuration (policies, groups, routes, DNS, posture checks, setup keys,
// networks, account settings) and, when an add, update or delete arrives,
// reads the object again and attaches the fields that changed, before and
// after. Every diff is also appended to a change log, for `birdseye
// changes --since 7d` and the weekly CHANGE_REPORT.
package changes

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/state"
)

// API reads a collection as the server sends it; *netbird.Client is one.
type API interface {
	GetRaw(ctx context.Context, path string) (json.RawMessage, error)
}

// Kind is a part of the configuration with its list endpoint.
type Kind struct {
	Name     string   // for people: "policy"
	Path     string   // "/policies"; {network_id} is taken from the event's meta
	Prefixes []string // activity codes that change it
	Single   bool     // one object (account or DNS settings): the target id does not matter
}

// Kinds are the parts of the configuration birdseye tracks.
var Kinds = []Kind{
	{"policy", "/policies", []string{"policy.", "rule."}, false},
	{"group", "/groups", []string{"group."}, false},
	{"setup key", "/setup-keys", []string{"setupkey.add", "setupkey.update", "setupkey.revoke", "setupkey.delete", "setupkey.group."}, false},
	{"route", "/routes", []string{"route."}, false},
	{"nameserver group", "/dns/nameservers", []string{"nameserver.group."}, false},
	{"DNS settings", "/dns/settings", []string{"dns.setting."}, true},
	{"DNS zone", "/dns/zones", []string{"dns.zone.create", "dns.zone.update", "dns.zone.delete"}, false},
	{"posture check", "/posture-checks", []string{"posture.check."}, false},
	{"network", "/networks", []string{"network.create", "network.update", "network.delete"}, false},
	{"network resource", "/networks/{network_id}/resources", []string{"network.resource.", "resource.group."}, false},
	{"network router", "/networks/routers", []string{"network.router."}, false},
	{"account settings", "/accounts", []string{"account.setting", "account.peer.inactivity.", "account.dns.domain.", "account.network.range.", "account.settings."}, true},
}

// KindOf returns the kind an activity code changes, and the path to read.
func KindOf(e event.Event) (Kind, string, bool) {
	for _, k := range Kinds {
		for _, p := range k.Prefixes {
			if strings.HasPrefix(e.ActivityCode, p) {
				path := k.Path
				if strings.Contains(path, "{network_id}") {
					id := e.Meta.Get("network_id")
					if id == "" {
						return k, "", false
					}
					path = strings.ReplaceAll(path, "{network_id}", id)
				}
				return k, path, true
			}
		}
	}
	return Kind{}, "", false
}

// Record is one diffed event in the change log.
type Record struct {
	At        time.Time      `json:"at"`                // when birdseye recorded it
	EventAt   time.Time      `json:"event_at,omitzero"` // when NetBird logged the event
	EventID   event.ID       `json:"event_id"`
	Code      string         `json:"code"`
	Initiator string         `json:"initiator"`
	Kind      string         `json:"kind"`
	ObjectID  string         `json:"object_id"`
	Name      string         `json:"name,omitempty"`
	Changes   []event.Change `json:"changes,omitempty"`
	Note      string         `json:"note,omitempty"`
}

// Tracker keeps the snapshots and the change log in dir.
type Tracker struct {
	API API
	Dir string
	Log *slog.Logger

	mu      sync.Mutex
	loaded  bool
	snaps   map[string]map[string]json.RawMessage // path → object id → object
	logged  map[event.ID]Record
	lastErr string
	// firstAt is when this process took a path's first snapshot: an event
	// older than that (a backfill) is already in it, and diffing against
	// it would say "no field changed".
	firstAt map[string]time.Time
}

// tookFirst notes that path's first snapshot was taken now.
func (t *Tracker) tookFirst(path string) {
	if t.firstAt == nil {
		t.firstAt = map[string]time.Time{}
	}
	t.firstAt[path] = time.Now()
}

func (t *Tracker) snapFile() string { return filepath.Join(t.Dir, "snapshots.json") }

// LogFile is the change log, one JSON record a line.
func (t *Tracker) LogFile() string { return filepath.Join(t.Dir, "changes.jsonl") }

func (t *Tracker) load() {
	if t.loaded {
		return
	}
	t.loaded, t.snaps, t.logged = true, map[string]map[string]json.RawMessage{}, map[event.ID]Record{}
	if raw, err := os.ReadFile(t.snapFile()); err == nil {
		if err := json.Unmarshal(raw, &t.snaps); err != nil {
			t.Log.Warn("configuration snapshots unusable; the next changes show no before-state", "file", t.snapFile(), "err", err)
			t.snaps = map[string]map[string]json.RawMessage{}
		}
	}
	recs, _ := ReadLog(t.LogFile(), time.Time{})
	for _, r := range recs {
		t.logged[r.EventID] = r
	}
}

// KeepLog is how long the change log keeps a record: a year and a month,
// so that a yearly audit finds the whole year.
const KeepLog = 395 * 24 * time.Hour

// Prime takes a snapshot of every kind not snapshotted yet, so that the
// first change after birdseye starts has a before-state, and drops change
// log records older than KeepLog.
func (t *Tracker) Prime(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := pruneLog(t.LogFile(), time.Now().Add(-KeepLog)); err != nil {
		t.Log.Warn("change log not pruned", "err", err)
	}
	t.load()
	var errs []error
	for _, k := range Kinds {
		if strings.Contains(k.Path, "{") || t.snaps[k.Path] != nil {
			continue
		}
		objs, err := t.fetch(ctx, k)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		t.snaps[k.Path] = objs
		t.tookFirst(k.Path)
	}
	return errors.Join(append(errs, t.saveSnaps())...)
}

func (t *Tracker) fetch(ctx context.Context, k Kind, path ...string) (map[string]json.RawMessage, error) {
	p := k.Path
	if len(path) > 0 {
		p = path[0]
	}
	raw, err := t.API.GetRaw(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("read %s for the change diff: %w", k.Name, err)
	}
	out := map[string]json.RawMessage{}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		out[""] = raw // one object (DNS settings)
		return out, nil
	}
	for _, item := range list {
		var id struct {
			ID string `json:"id"`
		}
		json.Unmarshal(item, &id)
		if k.Single {
			out[""] = item
			break
		}
		out[id.ID] = item
	}
	return out, nil
}

// Resolve attaches the changes to every event that adds, updates or deletes
// tracked configuration (it runs before the events go out, like the
// initiator names). A diff made once is kept in the change log and reused
// when the same event is offered again (a failed delivery, a restart). A
// failed read is logged once and the event goes out without a diff.
func (t *Tracker) Resolve(ctx context.Context, evs []event.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.load()
	current := map[string]map[string]json.RawMessage{}
	var peers map[string]string // read at most once a poll, when a diff needs it
	var recs []Record
	for i := range evs {
		e := &evs[i]
		if e.Stream != "" {
			continue
		}
		k, path, ok := KindOf(*e)
		if !ok {
			continue
		}
		if r, done := t.logged[e.ID]; done {
			if len(r.Changes) > 0 || !strings.HasPrefix(r.Note, "not found") {
				e.Changes, e.ChangesNote = r.Changes, r.Note
			}
			continue
		}
		cur, ok := current[path]
		if !ok {
			var err error
			if cur, err = t.fetch(ctx, k, path); err != nil {
				if err.Error() != t.lastErr {
					t.lastErr = err.Error()
					t.Log.Warn("change diff not available; the event goes out without it", "err", err)
				}
				e.ChangesNote = "changes not available: the " + k.Name + " could not be read"
				continue
			}
			current[path] = cur
		}
		id := e.TargetID
		if k.Single {
			id = ""
		}
		before, known := t.snaps[path]
		older := false
		if at, ok := e.Time(); ok && known && at.Before(t.firstAt[path]) {
			known, older = false, true
		}
		r := Record{At: time.Now().UTC(), EventID: e.ID, Code: e.ActivityCode, Initiator: e.Initiator(), Kind: k.Name, ObjectID: e.TargetID,
			// setupkey.group.* name the key under "setupkey"; other events
			// may name nothing: the object itself says.
			Name: cmp.Or(e.Meta.Get("name"), e.Meta.Get("setupkey"), objectName(cur[id]), objectName(before[id]))}
		if at, ok := e.Time(); ok {
			r.EventAt = at.UTC()
		}
		names := t.idNames(current)
		if p := peerRef(cur[id], before[id]); p != "" && names[p] == "" {
			if peers == nil {
				peers = t.peerNames(ctx)
			}
			maps.Copy(names, peers)
		}
		switch {
		case known && before[id] == nil && cur[id] == nil:
			// Not a tracked object (or gone before birdseye saw it): nothing
			// to show, and nothing worth a note on the event.
			r.Note = "not found in the " + k.Name + " list"
			t.logged[e.ID] = r
			recs = append(recs, r)
			continue
		case cur[id] != nil && (known && before[id] == nil || !known && isCreate(e.ActivityCode)):
			// Created: every field is new, whatever birdseye knew before.
			r.Note = "created"
			r.Changes = DiffNamed(nil, cur[id], names)
		case older:
			r.Note = "before-state unknown: the event is older than birdseye's first snapshot of this " + k.Name
		case !known:
			r.Note = "before-state unknown: birdseye had no snapshot of this " + k.Name + " yet"
		default:
			r.Changes = DiffNamed(before[id], cur[id], names)
			if len(r.Changes) == 0 {
				r.Note = "no field changed since birdseye's last snapshot"
			}
		}
		if t.snaps[path] == nil {
			t.snaps[path] = map[string]json.RawMessage{}
			t.tookFirst(path)
		}
		t.snaps[path][id] = cur[id] // a second event on it in this poll diffs from here
		if cur[id] == nil {
			delete(t.snaps[path], id)
		}
		e.Changes, e.ChangesNote = r.Changes, r.Note
		t.logged[e.ID] = r
		recs = append(recs, r)
	}
	for path, cur := range current {
		t.snaps[path] = cur
	}
	if len(recs) == 0 {
		return
	}
	if err := appendLog(t.LogFile(), recs); err != nil {
		t.Log.Error("change log not written", "err", err)
	}
	if err := t.saveSnaps(); err != nil {
		t.Log.Error("configuration snapshots not saved", "err", err)
	}
}

// isCreate: the codes that make an object (group.add, dns.zone.create).
func isCreate(code string) bool {
	return strings.HasSuffix(code, ".add") || strings.HasSuffix(code, ".create")
}

func (t *Tracker) saveSnaps() error {
	raw, err := json.Marshal(t.snaps)
	if err != nil {
		return err
	}
	return state.WriteAtomic(t.snapFile(), raw)
}

func appendLog(path string, recs []Record) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	var buf []byte
	for _, r := range recs {
		line, _ := json.Marshal(r)
		buf = append(append(buf, line...), '\n')
	}
	if _, err := f.Write(buf); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// pruneLog rewrites the log without the records before cutoff (only when
// there are such records).
func pruneLog(path string, cutoff time.Time) error {
	recs, err := ReadLog(path, time.Time{})
	if err != nil || len(recs) == 0 || !recs[0].At.Before(cutoff) {
		return err
	}
	var buf []byte
	for _, r := range recs {
		if r.At.Before(cutoff) {
			continue
		}
		line, _ := json.Marshal(r)
		buf = append(append(buf, line...), '\n')
	}
	return state.WriteAtomic(path, buf)
}

// ReadLog returns the records at or after since, oldest first. A torn last
// line (a crash mid-write) is skipped.
func ReadLog(path string, since time.Time) ([]Record, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Record
	for _, line := range strings.Split(string(raw), "\n") {
		var r Record
		if line == "" || json.Unmarshal([]byte(line), &r) != nil {
			continue
		}
		if !r.At.Before(since) {
			out = append(out, r)
		}
	}
	return out, nil
}
