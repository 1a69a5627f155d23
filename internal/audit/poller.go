// Package audit is the forwarder's core: it polls the audit list, works out
// which events are new with the persisted cursor, hands them to the sinks and
// only then advances the cursor. It owns the first-boot seed, the backoff, the
// outage clock, the backlog warning and gap detection.
package audit

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/state"
)

// Source is the audit list; *netbird.Client is one.
type Source interface {
	ListAuditEvents(ctx context.Context, keep func(event.ID) bool) (*netbird.AuditList, error)
}

// Store persists the state; state.File is one.
type Store interface {
	Load() (*state.State, error)
	Save(*state.State) error
	Quarantine(now time.Time) (string, error)
}

// Dispatcher takes the new events, oldest first.
type Dispatcher interface {
	Dispatch(ctx context.Context, evs []event.Event) error
}

// Resolver fills in InitiatorLabel.
type Resolver interface {
	Resolve(ctx context.Context, evs []event.Event)
}

// Resolvers run one after the other: the initiator's name, then what the
// change changed, then whoever only looks (the watch).
type Resolvers []Resolver

// Resolve runs each resolver on the events.
func (rs Resolvers) Resolve(ctx context.Context, evs []event.Event) {
	for _, r := range rs {
		r.Resolve(ctx, evs)
	}
}

// Alerter is told about outages, recoveries and gaps.
type Alerter interface {
	Outage(ctx context.Context, d time.Duration, cause error)
	Recovered(ctx context.Context, d time.Duration)
	Gap(ctx context.Context, from, to event.ID)
}

// Config is the loop's timing and thresholds.
type Config struct {
	Interval         time.Duration
	BackoffCap       time.Duration
	OutageAlertAfter time.Duration
	BacklogWarn      int // 0 = never
	Backfill         int
	// HeartbeatFile, when set, is rewritten every round for `birdseye healthcheck`.
	HeartbeatFile string
	// Metrics, when set, counts polls, errors and events.
	Metrics *metrics.M
	// FromStore says the source is NetBird's events.db, for the heartbeat.
	FromStore bool
}

// ErrFatal wraps errors that restarting cannot fix (a bad or deleted token, a
// URL that is not the management API): the daemon exits with code 3.
var ErrFatal = errors.New("fatal")

// Poller is the loop. Build it with New; run it once.
type Poller struct {
	cfg   Config
	src   Source
	store Store
	out   Dispatcher
	res   Resolver
	alert Alerter
	log   *slog.Logger

	st            *state.State // nil until seeded
	boot          state.State  // outage clock before the first seed
	dirty         bool         // st has changes the file does not
	backlogWarned bool
	resetWarned   bool
	polls         int
	lastSuccess   time.Time
	beatFailed    bool
	badIDs        int // entries without a usable id in the last list
}

// New assembles a poller.
func New(cfg Config, src Source, store Store, out Dispatcher, res Resolver, alert Alerter, log *slog.Logger) *Poller {
	return &Poller{cfg: cfg, src: src, store: store, out: out, res: res, alert: alert, log: log}
}

// Run polls until ctx ends (then it returns nil after finishing the state
// write in progress) or a fatal error occurs.
func (p *Poller) Run(ctx context.Context) error {
	if err := p.load(); err != nil {
		return err
	}
	backoff := p.cfg.Interval
	p.beat(time.Now(), nil)
	for {
		start := time.Now()
		err := p.pollOnce(ctx)
		p.cfg.Metrics.Poll(time.Since(start), errKind(err), time.Now())
		if ctx.Err() != nil {
			p.save()
			return nil
		}
		wait := p.cfg.Interval
		var deliverErr *deliveryError
		switch {
		case err == nil:
			p.lastSuccess = time.Now()
			p.recovered(ctx)
			backoff = p.cfg.Interval
		case errors.Is(err, ErrFatal):
			p.save()
			return err
		case errors.As(err, &deliverErr):
			p.log.Error("events not delivered; retrying next poll", "err", deliverErr.err)
		default:
			wait = backoff
			if ra := retryAfter(err); ra > wait {
				wait = ra
			}
			p.failed(ctx, err, wait)
			backoff = min(backoff*2, p.cfg.BackoffCap)
		}
		p.beat(time.Now().Add(wait), err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			p.save()
			return nil
		case <-t.C:
		}
	}
}

// beat tells `birdseye healthcheck` that the loop is alive and when it
// will go round next.
func (p *Poller) beat(next time.Time, err error) {
	if p.cfg.HeartbeatFile == "" {
		return
	}
	hb := state.Heartbeat{PID: os.Getpid(), At: time.Now(), NextPoll: next, LastSuccess: p.lastSuccess}
	st := p.st
	if st == nil {
		st = &p.boot
	}
	hb.OutageSince = st.OutageStarted
	if p.cfg.FromStore {
		hb.Source = state.SourceStore
	}
	if err != nil {
		hb.LastError = err.Error()
	}
	if werr := state.WriteHeartbeat(p.cfg.HeartbeatFile, hb); werr != nil && !p.beatFailed {
		p.beatFailed = true
		p.log.Warn("heartbeat not written; the container healthcheck will report unhealthy", "err", werr)
	} else if werr == nil {
		p.beatFailed = false
	}
}

func (p *Poller) load() error {
	st, err := p.store.Load()
	switch {
	case errors.Is(err, state.ErrCorrupt):
		kept, qerr := p.store.Quarantine(time.Now())
		p.log.Warn("state file is unusable; re-seeding from the newest event (events since the last good state are not forwarded)",
			"err", err, "kept_as", kept, "quarantine_err", qerr)
	case err != nil:
		return fmt.Errorf("load state: %w", err)
	default:
		p.st = st
	}
	if p.st != nil {
		p.log.Info("resuming", "last_id", p.st.Cursor.LastID)
	}
	return nil
}

// pollOnce fetches the list once and forwards what is new.
func (p *Poller) pollOnce(ctx context.Context) error {
	if p.st == nil {
		return p.seed(ctx)
	}
	list, err := p.src.ListAuditEvents(ctx, p.st.Cursor.IsNew)
	if err != nil {
		return classify(err)
	}
	p.polls++
	p.checkBacklog(list)
	p.checkGap(ctx, list)
	p.checkReset(list)
	p.checkBadIDs(list)
	if err := p.forward(ctx, list.Events); err != nil {
		return err
	}
	p.reportOdd(list.Odd)
	p.save()
	return nil
}

func (p *Poller) seed(ctx context.Context) error {
	keep := func(event.ID) bool { return false }
	if p.cfg.Backfill > 0 {
		keep = func(event.ID) bool { return true }
	}
	list, err := p.src.ListAuditEvents(ctx, keep)
	if err != nil {
		return classify(err)
	}
	evs := list.Events
	slices.SortFunc(evs, func(a, b event.Event) int { return cmp.Compare(a.ID, b.ID) })
	backfill := evs[max(0, len(evs)-p.cfg.Backfill):]
	floor := list.MaxID
	if len(backfill) > 0 {
		floor = 0
		if n := len(evs) - len(backfill); n > 0 {
			floor = evs[n-1].ID
		}
	}
	p.st = &state.State{Cursor: state.Seed(floor), OutageStarted: p.boot.OutageStarted, OutageAlerted: p.boot.OutageAlerted}
	p.dirty = true
	if len(backfill) == 0 {
		// First, so that the line below means the seed is on disk.
		if p.save() {
			p.log.Info("first boot: seeded, no backlog forwarded", "last_id", list.MaxID)
		}
		return nil
	}
	p.log.Info("first boot: forwarding the newest existing events (BACKFILL)", "count", len(backfill), "last_id", list.MaxID)
	if err := p.forward(ctx, backfill); err != nil {
		return err
	}
	p.save()
	return nil
}

// forward hands evs (in any order) to the sinks, oldest id first, then moves
// the cursor. When delivery fails the cursor stays, so the next poll offers
// the same events again.
func (p *Poller) forward(ctx context.Context, evs []event.Event) error {
	if len(evs) == 0 {
		return nil
	}
	slices.SortFunc(evs, func(a, b event.Event) int { return cmp.Compare(a.ID, b.ID) })
	p.res.Resolve(ctx, evs)
	if err := p.out.Dispatch(ctx, evs); err != nil {
		return &deliveryError{err}
	}
	ids := make([]event.ID, len(evs))
	for i, e := range evs {
		ids[i] = e.ID
	}
	p.st.Cursor.Advance(ids, time.Now())
	p.dirty = true
	p.cfg.Metrics.Seen("audit", len(evs))
	var newest time.Time
	for _, e := range evs {
		if t, ok := e.Time(); ok && t.After(newest) {
			newest = t
		}
	}
	p.cfg.Metrics.NewestAuditEvent(newest)
	return nil
}

func errKind(err error) string {
	var d *deliveryError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &d):
		return "delivery"
	case netbird.KindOf(err) != 0:
		return netbird.KindOf(err).String()
	}
	return "other"
}

type deliveryError struct{ err error }

func (e *deliveryError) Error() string { return "deliver events: " + e.err.Error() }
func (e *deliveryError) Unwrap() error { return e.err }

// save writes the state if it changed and reports whether the file holds
// it. A failed write is logged and retried after the next poll; the
// in-memory cursor stays right meanwhile.
func (p *Poller) save() bool {
	if p.st == nil || !p.dirty {
		return p.st != nil
	}
	if err := p.store.Save(p.st); err != nil {
		p.log.Error("state not saved; a restart now would repeat the events since the last save", "err", err)
		return false
	}
	p.dirty = false
	return true
}
