package loki

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/sinktest"
)

// server is Loki's push API as its reference describes it: POST
// /loki/api/v1/push with {"streams":[{"stream":{labels},"values":[[ns,
// line]]}]}, 204 No Content when taken; 401 "no org id" when a tenant is
// required and X-Scope-OrgID is missing; 400 for a body that is not a push
// request or a timestamp that is not nanoseconds; 429 over the ingestion
// rate; 5xx when the distributor is down.
type server struct {
	mu      sync.Mutex
	streams []pushStream
	reqs    int
	fail    sinktest.Failure
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	fail := s.fail
	s.mu.Unlock()
	switch {
	case fail == sinktest.Hang:
		<-r.Context().Done()
		return
	case fail == sinktest.ServerError:
		http.Error(w, "rpc error: code = Unavailable desc = no healthy ingesters", 503)
		return
	case fail == sinktest.ClientError || r.Header.Get("X-Scope-OrgID") != "netbird-team":
		http.Error(w, "no org id", 401)
		return
	case r.URL.Path != "/loki/api/v1/push":
		http.NotFound(w, r)
		return
	}
	var req struct{ Streams []pushStream }
	if err := json.Unmarshal(body, &req); err != nil || len(req.Streams) == 0 {
		http.Error(w, "error at least one label pair is required per stream", 400)
		return
	}
	for _, st := range req.Streams {
		for _, v := range st.Values {
			if _, err := strconv.ParseInt(v[0], 10, 64); err != nil {
				http.Error(w, "timestamp not in nanoseconds", 400)
				return
			}
		}
	}
	s.mu.Lock()
	s.reqs++
	s.streams = append(s.streams, req.Streams...)
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) Events() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, st := range s.streams {
		n += len(st.Values)
	}
	return n
}
func (s *server) Requests() int     { s.mu.Lock(); defer s.mu.Unlock(); return s.reqs }
func (s *server) Secrets() []string { return []string{"loki-password"} }
func (s *server) Fail(f sinktest.Failure) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = f
	return true
}

func start(t *testing.T) (*Sink, *server) {
	rx := &server{}
	srv := httptest.NewServer(rx)
	t.Cleanup(srv.Close)
	return New(Config{URL: srv.URL, Tenant: "netbird-team", User: "u", Password: "loki-password"}), rx
}

func TestLokiConformance(t *testing.T) {
	sinktest.Run(t, func(t *testing.T) (sink.Sink, sinktest.Receiver) { return start(t) })
}

// Labels stay few whatever the account holds: stream, the code's first
// word, severity and job; each line is the event, at its own time.
func TestLabelsAreFewAndEachLineIsTheEventAtItsTime(t *testing.T) {
	s, rx := start(t)
	evs := sinktest.Events(2, 0)
	evs = append(evs, event.Event{ID: 9, ActivityCode: "peer.user.delete", Timestamp: "2026-11-23T09:00:00Z", TargetID: "p-9",
		Meta: event.Meta{{Key: "name", Value: "laptop-of-someone"}}})
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: evs}))
	require.Len(t, rx.streams, 2, "two label sets: policy/notice and peer/warning")
	require.Equal(t, map[string]string{"job": "birdseye", "stream": "audit", "code_group": "policy", "severity": "notice"}, rx.streams[0].Stream)
	require.Equal(t, map[string]string{"job": "birdseye", "stream": "audit", "code_group": "peer", "severity": "warning"}, rx.streams[1].Stream,
		"the severity syslog and OTLP give it (event.Severity): a removed peer can lock someone out")
	require.Len(t, rx.streams[0].Values, 2)
	require.Equal(t, strconv.FormatInt(time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC).UnixNano(), 10), rx.streams[0].Values[0][0])
	require.True(t, strings.Contains(rx.streams[1].Values[0][1], `"target_id":"p-9"`), "the event is the line")
	for _, st := range rx.streams {
		for _, v := range st.Stream {
			require.NotContains(t, v, "laptop", "no name in a label")
		}
	}
}
