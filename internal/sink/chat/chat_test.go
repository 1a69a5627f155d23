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
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/sinktest"
)

const hookKey = "T000/B000/XXXXsecretXXXX"

// service stands in for Slack, Discord or Teams: it checks the payload's
// shape and the service's size limit the way the service refuses (400).
type service struct {
	t       *testing.T
	flavor  Flavor
	mu      sync.Mutex
	texts   []string
	reqs    int
	fail    sinktest.Failure
	maxSize int
}

func (s *service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.reqs++
	fail := s.fail
	s.mu.Unlock()
	switch fail {
	case sinktest.ServerError:
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	case sinktest.ClientError:
		http.Error(w, `{"message": "Unknown Webhook", "code": 10015}`, http.StatusNotFound)
		return
	case sinktest.Hang:
		<-r.Context().Done()
		return
	}
	var text string
	switch s.flavor.Name {
	case "slack":
		var p struct{ Text string }
		require.NoError(s.t, json.Unmarshal(body, &p))
		text = p.Text
	case "discord":
		var p struct {
			Content string
		}
		require.NoError(s.t, json.Unmarshal(body, &p))
		text = p.Content
	case "teams":
		var p struct {
			Type        string
			Attachments []struct {
				ContentType string
				Content     struct {
					Type string
					Body []struct{ Type, Text string }
				}
			}
		}
		require.NoError(s.t, json.Unmarshal(body, &p))
		require.Equal(s.t, "message", p.Type)
		require.Equal(s.t, "application/vnd.microsoft.card.adaptive", p.Attachments[0].ContentType)
		require.Equal(s.t, "AdaptiveCard", p.Attachments[0].Content.Type)
		text = p.Attachments[0].Content.Body[0].Text
		if len(body) > 28<<10 {
			http.Error(w, "payload too large", http.StatusRequestEntityTooLarge)
			return
		}
	}
	if utf8.RuneCountInString(text) > s.maxSize || text == "" {
		http.Error(w, "invalid message length", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.texts = append(s.texts, text)
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (s *service) Events() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, t := range s.texts {
		n += strings.Count(t, "Policy updated")
	}
	return n
}
func (s *service) Requests() int { s.mu.Lock(); defer s.mu.Unlock(); return s.reqs }
func (s *service) Fail(f sinktest.Failure) bool {
	s.mu.Lock()
	s.fail = f
	s.mu.Unlock()
	return true
}
func (s *service) Secrets() []string { return []string{"XXXXsecretXXXX"} }

var limits = map[string]int{"slack": 40000, "discord": 2000, "teams": 40000}

func start(t *testing.T, f Flavor) (*Sink, *service) {
	svc := &service{t: t, flavor: f, maxSize: limits[f.Name]}
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	return New(f, srv.URL+"/services/"+hookKey, 0, time.UTC), svc
}

func TestChatConformance(t *testing.T) {
	for _, f := range []Flavor{Slack, Discord, Teams} {
		t.Run(f.Name, func(t *testing.T) {
			sinktest.Run(t, func(t *testing.T) (sink.Sink, sinktest.Receiver) { return start(t, f) })
		})
	}
}

func TestEachServiceGetsItsOwnMarkdown(t *testing.T) {
	b := sink.Batch{Events: sinktest.Events(1, 0), Alerts: []string{"NetBird API unreachable for 10 min"}, Dropped: 2}
	for _, c := range []struct {
		f    Flavor
		want []string
	}{
		{Slack, []string{":rotating_light: *NetBird forwarder*: NetBird API unreachable for 10 min", ":warning: 2 events dropped: the slack outbox was full", "`2026-11-23 08:00:00`  *Policy updated*: Admins"}},
		{Discord, []string{"🚨 **NetBird forwarder**: NetBird API unreachable", "⚠️ 2 events dropped: the discord outbox", "`2026-11-23 08:00:00`  **Policy updated**: Admins"}},
		{Teams, []string{"🚨 **NetBird forwarder**", "2026-11-23 08:00:00  **Policy updated**: Admins"}},
	} {
		s, svc := start(t, c.f)
		require.NoError(t, s.Deliver(t.Context(), b))
		require.Len(t, svc.texts, 1, c.f.Name)
		for _, w := range c.want {
			require.Contains(t, svc.texts[0], w, c.f.Name)
		}
		if c.f.Name == "teams" {
			require.NotContains(t, svc.texts[0], "`", "no code spans in an Adaptive Card")
		}
	}
}

func TestDiscordSplitsAtItsLimitOfTwoThousand(t *testing.T) {
	s, svc := start(t, Discord)
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: sinktest.Events(40, 300)}))
	require.GreaterOrEqual(t, len(svc.texts), 4, "about 7,000 characters in messages of at most 2,000")
	require.Equal(t, 40, svc.Events())
}

// A peer named to ping the channel or plant a link reaches each service as
// text: no Slack control sequence, no live markdown link, no live mention.
func TestAHostilePeerNameArrivesAsText(t *testing.T) {
	name := "@channel <!channel> [click](http://evil.example) ![x](http://evil.example/p.png)"
	b := sink.Batch{Events: []event.Event{{ID: 1, Timestamp: "2026-11-23T08:00:00Z", ActivityCode: "peer.setupkey.add",
		InitiatorName: name, Meta: event.Meta{{Key: "name", Value: name}}}}}
	for _, f := range []Flavor{Slack, Discord, Teams} {
		s, svc := start(t, f)
		require.NoError(t, s.Deliver(t.Context(), b))
		text := svc.texts[0]
		require.NotContains(t, text, "<!channel>", f.Name)
		if f.Name == "slack" {
			// mrkdwn has no [text](url) links; only <url|text>, which needs a '<'.
			require.NotContains(t, text, "<http", f.Name)
		} else {
			require.NotRegexp(t, `[^\\]\]\(http`, text, "%s: an unescaped ](", f.Name)
		}
		require.NotRegexp(t, `(^|\s)@channel`, text, f.Name)
		require.Contains(t, text, "evil.example", "%s: the name is still shown", f.Name)
	}
}
