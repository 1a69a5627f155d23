package ntfy

import (
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
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

const token = "tk_ntfysecrettoken0000000001"

type note struct {
	title, priority, body string
}

// server is an ntfy topic: it takes a POST whose body is the message, with
// Title and Priority headers, and refuses a wrong token with 403.
type server struct {
	mu    sync.Mutex
	notes []note
	reqs  int
	fail  sinktest.Failure
}

var more = regexp.MustCompile(`… and (\d+) more lines$`)

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.reqs++
	fail := s.fail
	s.mu.Unlock()
	switch {
	case fail == sinktest.ServerError:
		http.Error(w, `{"code":50301,"http":503,"error":"service unavailable"}`, http.StatusServiceUnavailable)
		return
	case fail == sinktest.ClientError || r.Header.Get("Authorization") != "Bearer "+token:
		http.Error(w, `{"code":40301,"http":403,"error":"forbidden"}`, http.StatusForbidden)
		return
	case fail == sinktest.Hang:
		<-r.Context().Done()
		return
	case len(body) > MaxBytes:
		http.Error(w, "would become an attachment", http.StatusRequestEntityTooLarge)
		return
	}
	title, _ := new(mime.WordDecoder).DecodeHeader(r.Header.Get("Title"))
	s.mu.Lock()
	s.notes = append(s.notes, note{title, r.Header.Get("Priority"), string(body)})
	s.mu.Unlock()
	w.Write([]byte(`{"id":"x","event":"message"}`))
}

// Events counts the event lines, and the lines a cut message says it left
// out (the documented truncation).
func (s *server) Events() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, nt := range s.notes {
		n += strings.Count(nt.body, "Policy updated")
		if m := more.FindStringSubmatch(nt.body); m != nil {
			k, _ := strconv.Atoi(m[1])
			n += k
		}
	}
	return n
}
func (s *server) Requests() int { s.mu.Lock(); defer s.mu.Unlock(); return s.reqs }
func (s *server) Fail(f sinktest.Failure) bool {
	s.mu.Lock()
	s.fail = f
	s.mu.Unlock()
	return true
}
func (s *server) Secrets() []string { return []string{token, "birdseye-alerts-x9"} }

func start(t *testing.T) (*Sink, *server) {
	srv := &server{}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return New(hs.URL+"/birdseye-alerts-x9", token, 0, time.UTC), srv
}

func TestNtfyConformance(t *testing.T) {
	sinktest.Run(t, func(t *testing.T) (sink.Sink, sinktest.Receiver) { return start(t) })
}

func TestOneNotificationPerBatchWithAPriorityByTheMostSeriousEvent(t *testing.T) {
	s, srv := start(t)
	login := event.Event{ActivityCode: "user.peer.login", Activity: "User logged in peer", InitiatorName: "Jörg", Timestamp: "2026-11-23T08:00:00Z"}
	del := event.Event{ActivityCode: "policy.delete", Activity: "Policy deleted", InitiatorName: "alice", Timestamp: "2026-11-23T08:01:00Z", Meta: event.Meta{{Key: "name", Value: "Admins"}}}
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: []event.Event{login}}))
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: []event.Event{login, del}}))
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Alerts: []string{"NetBird API unreachable for 10 min"}}))
	require.Len(t, srv.notes, 3)
	require.Equal(t, note{"NetBird: user.peer.login by Jörg", "3", "08:00:00 User logged in peer (Jörg)"}, srv.notes[0])
	require.Equal(t, "NetBird: 2 events", srv.notes[1].title)
	require.Equal(t, "4", srv.notes[1].priority, "a deleted policy is security-relevant")
	require.Contains(t, srv.notes[1].body, "08:01:00 Policy deleted: Admins (alice)")
	require.Equal(t, note{"NetBird: NetBird API unreachable for 10 min", "5", "NetBird API unreachable for 10 min"}, srv.notes[2])
}

func TestAWrongTokenIsAConfigurationProblem(t *testing.T) {
	s, _ := start(t)
	s.token = "tk_wrong"
	err := s.Deliver(t.Context(), sink.Batch{Events: sinktest.Events(1, 0)})
	require.True(t, sink.IsPermanent(err))
	require.NotContains(t, err.Error(), "birdseye-alerts-x9", "the topic name is the secret of a public ntfy")
}

// Text from the API reaches the phone cleaned, as on every text sink: a
// name cannot add a line, send an escape or turn text around.
func TestNamesAreCleanedAsOnEveryTextSink(t *testing.T) {
	s := New("https://ntfy.example.com/t", token, 20, time.UTC)
	e := event.Event{ID: 1, Timestamp: "2026-11-29T15:40:03Z", ActivityCode: "group.add", Activity: "Group created",
		InitiatorName: "eve\u202eevil", Meta: event.Meta{{Key: "name", Value: "ops\nFAKE: second line\x1b[2J"}}}
	msg := s.Message(sink.Batch{Events: []event.Event{e}})
	require.NotContains(t, msg, "\n", "one event, one line")
	require.NotContains(t, msg, "\x1b")
	require.NotContains(t, msg, "\u202e")
	require.Contains(t, msg, `ops\nFAKE: second line\x1b[2J`)
}
