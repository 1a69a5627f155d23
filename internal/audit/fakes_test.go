package audit

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/state"
)

// source is an in-memory audit list with scripted failures. Inside a synctest
// bubble it must not touch sockets, so it stands in for *netbird.Client.
type source struct {
	mu     sync.Mutex
	events []event.Event
	errs   []error
	calls  []time.Time
	cap    int
	// delay is how long each answer takes (a slow server); inFlight and
	// maxInFlight show whether polls ever overlap.
	delay                 time.Duration
	inFlight, maxInFlight int
	// badIDs are entries whose id does not parse (beyond int64, say).
	badIDs int
}

func (s *source) add(ids ...event.ID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.events = append(s.events, event.Event{ID: id, ActivityCode: "policy.update", InitiatorID: "sys"})
	}
}

func (s *source) fail(errs ...error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs = append(s.errs, errs...)
}

func (s *source) ListAuditEvents(ctx context.Context, keep func(event.ID) bool) (*netbird.AuditList, error) {
	s.mu.Lock()
	s.calls = append(s.calls, time.Now())
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
	delay := s.delay
	s.mu.Unlock()
	select { // the server thinks; events may arrive meanwhile
	case <-time.After(delay):
	case <-ctx.Done():
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inFlight--
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(s.errs) > 0 {
		err := s.errs[0]
		s.errs = s.errs[1:]
		return nil, err
	}
	evs := s.events
	if s.cap > 0 && len(evs) > s.cap {
		evs = evs[len(evs)-s.cap:]
	}
	out := &netbird.AuditList{Count: len(evs) + s.badIDs, BadIDs: s.badIDs}
	for _, e := range evs {
		if out.MinID == 0 || e.ID < out.MinID {
			out.MinID = e.ID
		}
		out.MaxID = max(out.MaxID, e.ID)
		if keep(e.ID) {
			out.Events = append(out.Events, e)
		}
	}
	return out, nil
}

func (s *source) callCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

// store keeps the encoded state in memory, exactly as the file would hold it.
type store struct {
	mu      sync.Mutex
	data    []byte
	saves   int
	corrupt bool
	saveErr error
}

func (s *store) Load() (*state.State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.data == nil {
		return nil, nil
	}
	st, err := state.Decode(s.data)
	if err != nil {
		return nil, errors.Join(state.ErrCorrupt, err)
	}
	return st, nil
}

func (s *store) Save(st *state.State) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.saveErr != nil {
		return s.saveErr
	}
	s.data = st.Encode()
	s.saves++
	return nil
}

func (s *store) Quarantine(time.Time) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data = nil
	return "state.json.corrupt-0", nil
}

func (s *store) state() *state.State {
	st, err := s.Load()
	if err != nil {
		panic(err)
	}
	return st
}

type recorder struct {
	mu      sync.Mutex
	batches [][]event.ID
	err     error
}

func (r *recorder) Dispatch(_ context.Context, evs []event.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	var ids []event.ID
	for _, e := range evs {
		ids = append(ids, e.ID)
	}
	r.batches = append(r.batches, ids)
	return nil
}

// fail makes Dispatch return err (nil: succeed again).
func (r *recorder) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.err = err
}

func (r *recorder) all() []event.ID {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []event.ID
	for _, b := range r.batches {
		out = append(out, b...)
	}
	return out
}

type noResolve struct{}

func (noResolve) Resolve(context.Context, []event.Event) {}

type alerts struct {
	mu   sync.Mutex
	msgs []string
}

func (a *alerts) add(s string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.msgs = append(a.msgs, s)
}
func (a *alerts) Outage(_ context.Context, d time.Duration, c error) { a.add(OutageText(d, c)) }
func (a *alerts) Recovered(_ context.Context, d time.Duration)       { a.add(RecoveryText(d)) }
func (a *alerts) Gap(_ context.Context, from, to event.ID)           { a.add(GapText(from, to)) }
func (a *alerts) list() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.msgs...)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type rig struct {
	src   *source
	store *store
	out   *recorder
	alert *alerts
	logs  *syncBuffer
	cfg   Config
}

func newRig() *rig {
	return &rig{
		src: &source{}, store: &store{}, out: &recorder{}, alert: &alerts{}, logs: &syncBuffer{},
		cfg: Config{Interval: time.Minute, BackoffCap: 5 * time.Minute, OutageAlertAfter: 10 * time.Minute, BacklogWarn: 1000},
	}
}

func (r *rig) poller() *Poller {
	return New(r.cfg, r.src, r.store, r.out, noResolve{}, r.alert, slog.New(slog.NewTextHandler(r.logs, nil)))
}

// start runs a poller in the bubble and returns a stop function that cancels
// it and returns what Run returned.
func (r *rig) start(ctx context.Context) func() error {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	p := r.poller()
	go func() { done <- p.Run(ctx) }()
	return func() error {
		cancel()
		return <-done
	}
}
