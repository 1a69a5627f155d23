package splunk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/sinktest"
)

const token = "11111111-2222-3333-4444-555555555555"

// hec is an HTTP Event Collector as Splunk's reference describes it:
// /services/collector/event takes concatenated event objects with an
// "Authorization: Splunk <token>" header and answers {"text","code"}:
// 401 code 2 without a token, 403 code 4 for a wrong one, 400 code 6
// "Invalid data format" (with invalid-event-number) for an object without
// "event" or not JSON, 400 code 10 "Data channel is missing" when
// acknowledgement is on and no channel is sent, 503 code 9 "Server is
// busy"; with acknowledgement, "ackId" per request and
// /services/collector/ack answering {"acks":{"<id>":true}} once indexed.
type hec struct {
	mu       sync.Mutex
	events   []map[string]any
	reqs     int
	fail     sinktest.Failure
	ack      bool
	nextAck  int64
	indexed  map[int64]bool
	holdAcks bool // acknowledgements never come
}

func (h *hec) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	answer := func(status int, text string, code int, extra ...any) {
		m := map[string]any{"text": text, "code": code}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i].(string)] = extra[i+1]
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(m)
	}
	body, _ := io.ReadAll(r.Body) // read first: a hung request's context ends when the client goes
	h.mu.Lock()
	fail := h.fail
	h.mu.Unlock()
	switch {
	case fail == sinktest.Hang:
		<-r.Context().Done()
		return
	case fail == sinktest.ServerError:
		answer(503, "Server is busy", 9)
		return
	case r.Header.Get("Authorization") == "":
		answer(401, "Token is required", 2)
		return
	case fail == sinktest.ClientError || r.Header.Get("Authorization") != "Splunk "+token:
		answer(403, "Invalid token", 4)
		return
	case h.ack && r.Header.Get("X-Splunk-Request-Channel") == "":
		answer(400, "Data channel is missing", 10)
		return
	}
	if r.URL.Path == "/services/collector/ack" {
		var q struct{ Acks []int64 }
		json.Unmarshal(body, &q)
		acks := map[string]bool{}
		h.mu.Lock()
		for _, id := range q.Acks {
			acks[fmt.Sprint(id)] = h.indexed[id] && !h.holdAcks
		}
		h.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{"acks": acks})
		return
	}
	if r.URL.Path != "/services/collector/event" {
		http.NotFound(w, r)
		return
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var got []map[string]any
	for n := 0; dec.More(); n++ {
		var e map[string]any
		if err := dec.Decode(&e); err != nil || e["event"] == nil {
			answer(400, "Invalid data format", 6, "invalid-event-number", n)
			return
		}
		got = append(got, e)
	}
	if len(got) == 0 {
		answer(400, "No data", 5)
		return
	}
	h.mu.Lock()
	h.reqs++
	h.events = append(h.events, got...)
	id := h.nextAck
	h.nextAck++
	if h.indexed == nil {
		h.indexed = map[int64]bool{}
	}
	h.indexed[id] = true
	h.mu.Unlock()
	if h.ack {
		answer(200, "Success", 0, "ackId", id)
		return
	}
	answer(200, "Success", 0)
}

func (h *hec) Events() int       { h.mu.Lock(); defer h.mu.Unlock(); return len(h.events) }
func (h *hec) Requests() int     { h.mu.Lock(); defer h.mu.Unlock(); return h.reqs }
func (h *hec) Secrets() []string { return []string{token} }
func (h *hec) Fail(f sinktest.Failure) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fail = f
	return true
}

func start(t *testing.T, cfg Config) (*Sink, *hec) {
	h := &hec{ack: cfg.Ack}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg.URL, cfg.Token = srv.URL, token
	return New(cfg), h
}

func TestSplunkConformance(t *testing.T) {
	sinktest.Run(t, func(t *testing.T) (sink.Sink, sinktest.Receiver) {
		s, h := start(t, Config{Index: "netbird", Source: "birdseye", SourceType: "netbird:audit"})
		return s, h
	})
}

func TestSplunkConformanceWithAcknowledgement(t *testing.T) {
	sinktest.Run(t, func(t *testing.T) (sink.Sink, sinktest.Receiver) {
		s, h := start(t, Config{Ack: true})
		return s, h
	})
}

// Each event is a HEC event object: its time from the event, the index,
// source and sourcetype configured, birdseye's event schema inside.
func TestEachEventIsAHECEventObject(t *testing.T) {
	s, h := start(t, Config{Index: "netbird", Source: "birdseye", SourceType: "netbird:audit", Host: "nb.example.com"})
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: sinktest.Events(2, 0)}))
	require.Len(t, h.events, 2)
	e := h.events[0]
	require.Equal(t, "netbird", e["index"])
	require.Equal(t, "birdseye", e["source"])
	require.Equal(t, "netbird:audit", e["sourcetype"])
	require.Equal(t, "nb.example.com", e["host"])
	require.EqualValues(t, time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC).Unix(), e["time"])
	inner := e["event"].(map[string]any)
	require.Equal(t, "policy.update", inner["activity_code"])
	require.Equal(t, "1", fmt.Sprint(inner["id"]), "the event id, for deduplication")
}

// A URL given with the collector's path, or with a path prefix of a
// proxy in front, reaches the same endpoint.
func TestTheCollectorPathIsAddedOnce(t *testing.T) {
	for _, base := range []string{"https://splunk:8088", "https://splunk:8088/", "https://splunk:8088/services/collector/event", "https://splunk:8088/services/collector"} {
		require.Equal(t, "https://splunk:8088/services/collector/event", New(Config{URL: base}).endpoint("event"), base)
	}
	require.Equal(t, "https://proxy/hec/services/collector/ack", New(Config{URL: "https://proxy/hec"}).endpoint("ack"))
}

// With acknowledgement on, a batch is delivered once Splunk says it was
// indexed; an acknowledgement that never comes fails the delivery
// (retryable: the batch goes again), and a collector that sends no ackId
// is a configuration problem.
func TestAcknowledgementIsWaitedFor(t *testing.T) {
	s, h := start(t, Config{Ack: true, AckWait: 1500 * time.Millisecond})
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: sinktest.Events(3, 0)}))
	require.Equal(t, 3, h.Events())

	h.mu.Lock()
	h.holdAcks = true
	h.mu.Unlock()
	err := s.Deliver(t.Context(), sink.Batch{Events: sinktest.Events(1, 0)})
	require.ErrorContains(t, err, "not acknowledged as indexed within 1.5s: sent again")
	require.False(t, sink.IsPermanent(err))

	h2 := &hec{}
	srv := httptest.NewServer(h2)
	defer srv.Close()
	err = New(Config{URL: srv.URL, Token: token, Ack: true}).Deliver(t.Context(), sink.Batch{Events: sinktest.Events(1, 0)})
	require.True(t, sink.IsPermanent(err))
	require.ErrorContains(t, err, "turn indexer acknowledgement on for the token, or SPLUNK_HEC_ACK off")
}

func TestARefusedTokenSaysSplunksReasonWithoutTheToken(t *testing.T) {
	s, h := start(t, Config{})
	h.Fail(sinktest.ClientError)
	err := s.Deliver(t.Context(), sink.Batch{Events: sinktest.Events(1, 0)})
	require.True(t, sink.IsPermanent(err))
	require.Contains(t, err.Error(), "HTTP 403: Invalid token")
	require.NotContains(t, err.Error(), token)
	require.True(t, strings.HasPrefix(err.Error(), "splunk POST "))
}
