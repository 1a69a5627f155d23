// Package stream forwards a time-ordered event stream besides the audit
// log (NetBird's network traffic events, its reverse-proxy access log) to
// the same sinks: a loop per stream with its own interval, its cursor kept
// in the shared state file, rows handed to the sinks' outboxes before the
// cursor moves, and a server without the endpoint told once, then asked
// again every hour.
package stream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/timecursor"
)

// Source reads a stream: the rows after a cursor as events, oldest first,
// and the cursor after them.
type Source interface {
	Poll(ctx context.Context, cur timecursor.Cursor) ([]event.Event, timecursor.Cursor, error)
}

// Store keeps the cursor; *state.Shared is one.
type Store interface {
	Ready() <-chan struct{}
	Stream(name string) json.RawMessage
	SaveStream(name string, cursor json.RawMessage) error
}

// Dispatcher hands events to the sinks (their outboxes).
type Dispatcher interface {
	Dispatch(ctx context.Context, evs []event.Event) error
}

// Config is one stream's loop.
type Config struct {
	Name       string // event.StreamTraffic, event.StreamProxy
	Title      string // for the log: "traffic events"
	Variable   string // the switch, for the log: TRAFFIC_EVENTS
	Interval   time.Duration
	BackoffCap time.Duration
	// Recheck is how long to wait after the server said it has no such
	// endpoint (one hour).
	Recheck time.Duration
	Metrics *metrics.M
}

// Loop forwards one stream. Build it with New; run it once.
type Loop struct {
	cfg   Config
	src   Source
	store Store
	out   Dispatcher
	log   *slog.Logger

	cur         timecursor.Cursor
	started     bool // a cursor exists (loaded or made at the first poll)
	unavailable bool
	lastErr     string
}

// New assembles a loop.
func New(cfg Config, src Source, store Store, out Dispatcher, log *slog.Logger) *Loop {
	return &Loop{cfg: cfg, src: src, store: store, out: out, log: log.With("stream", cfg.Name)}
}

// Run polls until ctx ends. It waits for the audit cursor to exist first
// (see state.Shared.Ready).
func (l *Loop) Run(ctx context.Context) {
	select {
	case <-ctx.Done():
		return
	case <-l.store.Ready():
	}
	l.load()
	backoff := l.cfg.Interval
	for {
		err := l.once(ctx)
		if ctx.Err() != nil {
			return
		}
		wait := l.cfg.Interval
		switch {
		case err == nil:
			if l.unavailable {
				l.log.Info(l.cfg.Title + ": the server has them now; forwarding")
			} else if l.lastErr != "" {
				l.log.Info(l.cfg.Title + ": polling works again")
			}
			l.unavailable, l.lastErr, backoff = false, "", l.cfg.Interval
		case netbird.NoSuchRoute(err):
			if !l.unavailable {
				every := l.cfg.Recheck.String()
				if l.cfg.Recheck == time.Hour {
					every = "hour"
				}
				l.log.Warn(fmt.Sprintf("%s: this NetBird server does not have them (plain 404); %s stays on and birdseye asks again every %s", l.cfg.Title, l.cfg.Variable, every))
			}
			l.unavailable, l.lastErr = true, ""
			wait = l.cfg.Recheck
		default:
			wait = backoff
			if err.Error() != l.lastErr {
				l.lastErr = err.Error()
				l.log.Error(l.cfg.Title+": poll failed; nothing is lost, the same rows are read again", "err", err, "retry_in", wait)
			}
			backoff = min(backoff*2, l.cfg.BackoffCap)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

func (l *Loop) load() {
	raw := l.store.Stream(l.cfg.Name)
	if raw == nil {
		return
	}
	if err := json.Unmarshal(raw, &l.cur); err != nil {
		l.log.Warn(l.cfg.Title+": saved cursor is unusable; starting from now", "err", err)
		return
	}
	l.started = true
	l.log.Info(l.cfg.Title+": resuming", "since", l.cur.Since)
}

// once polls one round. A failed poll or delivery leaves the cursor where it
// was, so the next round reads the same rows again.
func (l *Loop) once(ctx context.Context) error {
	if !l.started {
		// What the server holds now was there before birdseye was told to
		// forward it, as with the audit log's first boot: it only marks the
		// start.
		_, cur, err := l.src.Poll(ctx, timecursor.Cursor{Since: time.Now()})
		if err != nil {
			return err
		}
		l.cur, l.started = cur, true
		l.log.Info(l.cfg.Title + ": forwarding new ones from now on")
		return l.save()
	}
	evs, cur, err := l.src.Poll(ctx, l.cur)
	if err != nil {
		return err
	}
	if len(evs) > 0 {
		if err := l.out.Dispatch(ctx, evs); err != nil {
			return fmt.Errorf("deliver %s: %w", l.cfg.Title, err)
		}
		l.cfg.Metrics.Seen(l.cfg.Name, len(evs))
	}
	l.cur = cur
	return l.save()
}

func (l *Loop) save() error {
	raw, err := json.Marshal(l.cur)
	if err != nil {
		return err
	}
	if err := l.store.SaveStream(l.cfg.Name, raw); err != nil {
		// The rows are queued; a restart before the next save would offer
		// them again and the outboxes would queue them once.
		return errors.Join(errors.New(l.cfg.Title+": cursor not saved"), err)
	}
	return nil
}
