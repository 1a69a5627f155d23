package stream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/timecursor"
)

// source is a stream whose rows appear at given times; it answers like the
// real pollers: rows after the cursor's look-back, not yet taken.
type source struct {
	mu    sync.Mutex
	rows  []row
	err   error
	polls int
}

type row struct {
	key string
	at  time.Time
}

func (s *source) add(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rows = append(s.rows, row{key, time.Now()})
}

func (s *source) Poll(_ context.Context, cur timecursor.Cursor) ([]event.Event, timecursor.Cursor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.polls++
	if s.err != nil {
		return nil, cur, s.err
	}
	b := cur.Begin(time.Minute)
	var out []event.Event
	for _, r := range s.rows {
		if b.Take(r.key, r.at) {
			out = append(out, event.Event{Stream: "proxy", Key: r.key, Timestamp: r.at.Format(time.RFC3339Nano)})
		}
	}
	return out, b.Cursor(), nil
}

type store struct {
	mu    sync.Mutex
	saved map[string]json.RawMessage
	ready chan struct{}
}

func newStore() *store {
	s := &store{saved: map[string]json.RawMessage{}, ready: make(chan struct{})}
	close(s.ready)
	return s
}
func (s *store) Ready() <-chan struct{} { return s.ready }
func (s *store) Stream(n string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saved[n]
}
func (s *store) SaveStream(n string, raw json.RawMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saved[n] = raw
	return nil
}

type sinkRec struct {
	mu   sync.Mutex
	keys []string
	err  error
}

func (r *sinkRec) Dispatch(_ context.Context, evs []event.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	for _, e := range evs {
		r.keys = append(r.keys, e.Key)
	}
	return nil
}

func (r *sinkRec) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.keys...)
}

type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var cfg = Config{Name: "proxy", Title: "proxy access log", Variable: "PROXY_LOGS", Interval: time.Minute, BackoffCap: 5 * time.Minute, Recheck: time.Hour}

func start(t *testing.T, src Source, st Store, out Dispatcher, log *logBuf) (stop func()) {
	ctx, cancel := context.WithCancel(t.Context())
	l := New(cfg, src, st, out, slog.New(slog.NewTextHandler(log, nil)))
	done := make(chan struct{})
	go func() { l.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

func TestRowsFromBeforeTheStartAreNotForwardedAndNewOnesAreOnceAcrossARestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src, st, out, log := &source{}, newStore(), &sinkRec{}, &logBuf{}
		src.add("old")
		stop := start(t, src, st, out, log)
		synctest.Wait()
		require.Empty(t, out.got(), "the first poll only marks the start")
		require.Contains(t, log.String(), "forwarding new ones from now on")

		time.Sleep(30 * time.Second)
		src.add("a")
		src.add("b")
		time.Sleep(31 * time.Second)
		synctest.Wait()
		require.Equal(t, []string{"a", "b"}, out.got())
		stop()

		src.add("c") // arrives while birdseye is down
		stop = start(t, src, st, out, log)
		synctest.Wait()
		require.Equal(t, []string{"a", "b", "c"}, out.got(), "resumed from the saved cursor: no repeat, no loss")
		require.Contains(t, log.String(), "resuming")
		stop()
	})
}

func TestAFailedDeliveryLeavesTheCursorSoTheRowsComeAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src, st, out, log := &source{}, newStore(), &sinkRec{}, &logBuf{}
		stop := start(t, src, st, out, log)
		defer stop()
		synctest.Wait()
		src.add("a")
		out.mu.Lock()
		out.err = errors.New("outbox: disk full")
		out.mu.Unlock()
		time.Sleep(61 * time.Second)
		synctest.Wait()
		require.Empty(t, out.got())
		require.Contains(t, log.String(), "disk full")
		out.mu.Lock()
		out.err = nil
		out.mu.Unlock()
		time.Sleep(2 * time.Minute) // the backoff
		synctest.Wait()
		require.Equal(t, []string{"a"}, out.got())
		require.Contains(t, log.String(), "polling works again")
	})
}

func TestAServerWithoutTheEndpointIsToldOnceAndAskedHourly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &source{err: &netbird.Error{Kind: netbird.KindNotFound, Method: "GET", Path: "/api/events/network-traffic", Status: 404, PlainText: true, Message: "404 page not found"}}
		st, out, log := newStore(), &sinkRec{}, &logBuf{}
		stop := start(t, src, st, out, log)
		defer stop()
		time.Sleep(3*time.Hour + time.Minute)
		synctest.Wait()
		src.mu.Lock()
		require.Equal(t, 4, src.polls, "at start and once an hour")
		src.err = nil
		src.mu.Unlock()
		require.Equal(t, 1, strings.Count(log.String(), "does not have them"), log.String())
		require.Contains(t, log.String(), "PROXY_LOGS stays on and birdseye asks again every hour")

		time.Sleep(time.Hour) // the server is upgraded: the next check starts the stream
		synctest.Wait()
		require.Contains(t, log.String(), "the server has them now")
		src.add("a")
		time.Sleep(time.Minute)
		synctest.Wait()
		require.Equal(t, []string{"a"}, out.got())
		require.Equal(t, 1, strings.Count(log.String(), "does not have them"))
	})
}

func TestTheLoopWaitsForTheAuditCursorBeforeWritingItsOwn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src, out, log := &source{}, &sinkRec{}, &logBuf{}
		st := &store{saved: map[string]json.RawMessage{}, ready: make(chan struct{})}
		stop := start(t, src, st, out, log)
		defer stop()
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		require.Zero(t, src.polls)
		close(st.ready)
		synctest.Wait()
		require.Equal(t, 1, src.polls)
		require.NotNil(t, st.Stream("proxy"))
	})
}
