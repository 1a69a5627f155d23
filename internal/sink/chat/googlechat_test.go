package chat

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/sinktest"
)

const (
	spaceKey   = "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI"
	spaceToken = "s3cr3tSpaceTokenXXXXXXXXXXXXXXXXXXXX"
)

// space is a Google Chat space's incoming webhook as Google documents it:
// POST /v1/spaces/<space>/messages?key=…&token=… with a Message whose text
// is in Chat's markup; the created Message back; Google's error object
// ({"error":{"code","message","status"}}) otherwise: 400 INVALID_ARGUMENT
// for a message past 32,000 bytes or a body it cannot read, 401/403 for a
// key or token that is not the space's, 404 for another space, 429
// RESOURCE_EXHAUSTED past the webhook's rate.
type space struct {
	mu    sync.Mutex
	texts []string
	reqs  int
	fail  sinktest.Failure
}

func googleError(w http.ResponseWriter, code int, status, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg, "status": status}})
}

func (s *space) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.reqs++
	fail := s.fail
	s.mu.Unlock()
	switch {
	case fail == sinktest.Hang:
		<-r.Context().Done()
		return
	case fail == sinktest.ServerError:
		googleError(w, 503, "UNAVAILABLE", "The service is currently unavailable.")
		return
	case r.Method != http.MethodPost || r.URL.Path != "/v1/spaces/AAQA1234567/messages" || fail == sinktest.ClientError:
		googleError(w, 404, "NOT_FOUND", "Requested entity was not found.")
		return
	case r.URL.Query().Get("key") != spaceKey || r.URL.Query().Get("token") != spaceToken:
		googleError(w, 401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
		return
	case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
		googleError(w, 400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
		return
	case len(body) > 32000:
		googleError(w, 400, "INVALID_ARGUMENT", "Message exceeds the maximum size of 32000 bytes.")
		return
	}
	var m struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(body, &m); err != nil || m.Text == "" {
		googleError(w, 400, "INVALID_ARGUMENT", "Message cannot be empty.")
		return
	}
	s.mu.Lock()
	s.texts = append(s.texts, m.Text)
	s.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"name": "spaces/AAQA1234567/messages/x.y", "text": m.Text})
}

func (s *space) Events() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, t := range s.texts {
		n += strings.Count(t, "Policy updated")
	}
	return n
}
func (s *space) Requests() int     { s.mu.Lock(); defer s.mu.Unlock(); return s.reqs }
func (s *space) Secrets() []string { return []string{spaceKey, spaceToken} }
func (s *space) Fail(f sinktest.Failure) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = f
	return true
}

func startSpace(t *testing.T) (*Sink, *space, string) {
	sp := &space{}
	srv := httptest.NewServer(sp)
	t.Cleanup(srv.Close)
	url := srv.URL + "/v1/spaces/AAQA1234567/messages?key=" + spaceKey + "&token=" + spaceToken
	return New(GoogleChat, url, 0, time.UTC), sp, url
}

func TestGoogleChatConformance(t *testing.T) {
	sinktest.Run(t, func(t *testing.T) (sink.Sink, sinktest.Receiver) { s, sp, _ := startSpace(t); return s, sp })
}

// birdseye's bold is Chat's *bold*; a hostile name mentions nobody, links
// nowhere and formats nothing, and still reads as it was.
func TestGoogleChatGetsItsMarkupAndAHostileNameStaysText(t *testing.T) {
	s, sp, url := startSpace(t)
	name := "<users/all> <https://evil.example|login> *bold* _it_"
	batch := sink.Batch{Alerts: []string{"NetBird API unreachable for 10 min"}, Events: []event.Event{{ID: 1, Timestamp: "2026-11-23T08:00:00Z",
		ActivityCode: "peer.setupkey.add", InitiatorName: "<users/all>", Meta: event.Meta{{Key: "name", Value: name}}}}}
	require.NoError(t, s.Deliver(t.Context(), batch))
	require.Len(t, sp.texts, 1)
	text := sp.texts[0]
	require.Contains(t, text, "🚨 *NetBird forwarder*: NetBird API unreachable for 10 min")
	require.Contains(t, text, "*Peer joined via setup key*")
	require.NotContains(t, text, "**", "Chat's bold is one asterisk")
	require.NotContains(t, text, "<users/", "no mention from a value")
	require.NotContains(t, text, "<https:", "no link from a value")
	require.Contains(t, text, "`<\u2060users/all> <\u2060https://evil.example|login> *bold* _it_`", "a value with markup characters is a code span")
	require.Contains(t, strings.ReplaceAll(text, "\u2060", ""), "<users/all>", "and reads as it was")

	other := strings.Replace(url, "AAQA1234567", "AAQA7654321", 1)
	err := New(GoogleChat, other, 0, time.UTC).Deliver(t.Context(), sink.Batch{Events: sinktest.Events(1, 0)})
	require.True(t, sink.IsPermanent(err))
	require.ErrorContains(t, err, "HTTP 404: Requested entity was not found.", "Google's error object is read")
	require.NotContains(t, err.Error(), spaceToken)
	require.NotContains(t, err.Error(), spaceKey)
}
