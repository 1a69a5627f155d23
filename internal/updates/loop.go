package updates

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/monitor"
	"github.com/styliteag/birdseye/internal/state"
)

// Dispatcher hands events to the sinks.
type Dispatcher interface {
	Dispatch(ctx context.Context, evs []event.Event) error
}

// CheckmkFile is the local check's file name, without its age prefix.
const CheckmkFile = "netbird_update"

// Loop checks at start and then once a day, an hour of jitter added so
// that many installations do not ask the release source at once.
type Loop struct {
	Checker   Checker
	Interval  time.Duration
	Jitter    time.Duration
	StateFile string // updates.json beside the state file
	Out       Dispatcher
	Log       *slog.Logger
	Metrics   *metrics.M
	Checkmk   string // spool directory, "" = none
}

// Run checks until ctx ends.
func (l *Loop) Run(ctx context.Context) {
	st := l.load()
	for {
		if err := l.Once(ctx, st, time.Now()); err != nil && ctx.Err() == nil {
			l.Log.Warn("update check incomplete; tried again at the next check", "err", err)
		}
		wait := l.Interval
		if l.Jitter > 0 {
			wait += rand.N(l.Jitter)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

func (l *Loop) load() *State {
	st, err := LoadState(l.StateFile)
	if err != nil {
		l.Log.Warn("update check state unusable; starting afresh (a release may be announced again)", "file", l.StateFile, "err", err)
		return NewState()
	}
	return st
}

// LoadState reads updates.json; a file that is not there is a first start.
func LoadState(path string) (*State, error) {
	st := NewState()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err == nil {
		err = json.Unmarshal(b, st)
	}
	if err == nil && (st.Told == nil || st.Read == nil || st.Failing == nil) {
		err = errors.New("a part is missing")
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return st, nil
}

// sources are the sources that are on.
func (l *Loop) sources() []string {
	s := []string{FromServer, FromPeers}
	if l.Checker.Release != nil {
		s = append(s, FromRelease)
	}
	if l.Checker.Own != nil {
		s = append(s, FromBirdseye)
	}
	return s
}

// Once is one check: read, tell what is new, keep it. When the sinks do
// not take the events, st is left as it was.
func (l *Loop) Once(ctx context.Context, st *State, now time.Time) error {
	r := l.Checker.Read(ctx)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	before, _ := json.Marshal(st)
	for _, s := range l.sources() {
		if err := r.Errs[s]; err != nil {
			if _, failing := st.Failing[s]; !failing {
				l.Log.Warn("update check: a source could not be read; said as such, never as up to date", "source", s, "err", err)
			}
		} else if _, failing := st.Failing[s]; failing {
			l.Log.Info("update check: the source is read again", "source", s)
		}
	}
	evs := Tell(st, r, l.Checker.Birdseye, l.sources(), now)
	if r.HasCurrent {
		l.Metrics.ManagementVersion(r.Current.Raw)
	}
	l.Metrics.UpdateAvailable("management", r.HasCurrent && r.HasManagement && r.Management.Newer(r.Current))
	if l.Checker.Own != nil {
		cur, ok := Parse(l.Checker.Birdseye)
		l.Metrics.UpdateAvailable("birdseye", ok && r.HasOwn && r.Own.Newer(cur))
	}
	for s, at := range st.Read {
		l.Metrics.UpdateChecked(s, at)
	}
	if l.Checkmk != "" {
		if err := monitor.WriteLocal(l.Checkmk, CheckmkFile, 50*time.Hour, []monitor.Service{Status(st, r, l.Checker.Release != nil, now)}); err != nil {
			l.Log.Warn("Checkmk file not written", "err", err)
		}
	}
	if len(evs) > 0 {
		if err := l.Out.Dispatch(ctx, evs); err != nil {
			*st = *NewState()
			json.Unmarshal(before, st)
			return fmt.Errorf("hand the release news to the sinks: %w", err)
		}
		l.Metrics.Seen(event.StreamWatch, len(evs))
	}
	b, _ := json.Marshal(st)
	if err := state.WriteAtomic(l.StateFile, b); err != nil {
		return fmt.Errorf("keep the update check's state: %w", err)
	}
	return nil
}

// Status is the Checkmk service: WARN for a newer NetBird release, UNKNOWN
// while a source that is on cannot be read (with the date it last was),
// OK otherwise with what was read.
func Status(st *State, r Reading, releaseOn bool, now time.Time) monitor.Service {
	s := monitor.Service{Name: "NetBird_Update"}
	since := func(src string) string {
		if at, ok := st.Read[src]; ok {
			return "last read " + at.UTC().Format("2006-01-02 15:04 MST")
		}
		return "never read since " + st.Failing[src].UTC().Format("2006-01-02 15:04 MST")
	}
	switch {
	case r.HasCurrent && r.HasManagement && r.Management.Newer(r.Current):
		s.Status, s.Text = monitor.Warn, fmt.Sprintf("NetBird %s is available, management runs %s (%s)", r.Management, r.Current.Raw, r.ManagementFrom)
	case r.Errs[FromServer] != nil:
		s.Status, s.Text = monitor.Unknown, "could not read the management server's version ("+since(FromServer)+"): "+r.Errs[FromServer].Error()
	case releaseOn && r.Errs[FromRelease] != nil:
		s.Status, s.Text = monitor.Unknown, fmt.Sprintf("could not check for a newer release (%s): %v; management runs %s, no peer runs a newer one", since(FromRelease), r.Errs[FromRelease], r.Current.Raw)
	default:
		s.Text = "management " + r.Current.Raw + " is the newest release known"
		if releaseOn {
			s.Text += " (release source read " + now.UTC().Format("2006-01-02 15:04 MST") + ")"
		} else {
			s.Text += " (release source off: from the server and the peers only)"
		}
	}
	return s
}
