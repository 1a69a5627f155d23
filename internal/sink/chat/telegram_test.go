package chat

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
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

const botToken = "123456789:AAHsecretbottokenXXXXXXXXXXXXXXXXXX"

// bot is the Bot API's sendMessage as Telegram documents it: POST
// /bot<token>/sendMessage with chat_id, text and parse_mode HTML;
// {"ok":true,"result":{…}} when sent; {"ok":false,"error_code":400,
// "description":"Bad Request: chat not found"} for another chat, 401
// "Unauthorized" for a wrong token, 400 "message is too long" past 4,096
// characters and "can't parse entities" for HTML it cannot read (only
// b, i, code and the entities are checked here), 429 "Too Many Requests".
type bot struct {
	mu    sync.Mutex
	texts []string
	reqs  int
	fail  sinktest.Failure
}

var allowedTag = regexp.MustCompile(`^</?(b|i|code)>$`)

func (b *bot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	answer := func(status int, desc string) {
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"ok": false, "error_code": status, "description": desc})
	}
	b.mu.Lock()
	b.reqs++
	fail := b.fail
	b.mu.Unlock()
	switch {
	case fail == sinktest.Hang:
		<-r.Context().Done()
		return
	case fail == sinktest.ServerError:
		answer(502, "Bad Gateway")
		return
	case r.URL.Path != "/bot"+botToken+"/sendMessage":
		answer(401, "Unauthorized")
		return
	}
	var p struct {
		ChatID    string `json:"chat_id"`
		Text      string
		ParseMode string `json:"parse_mode"`
	}
	json.Unmarshal(body, &p)
	switch {
	case fail == sinktest.ClientError || p.ChatID != "-1001234567890":
		answer(400, "Bad Request: chat not found")
		return
	case p.ParseMode != "HTML":
		answer(400, "Bad Request: unsupported parse_mode")
		return
	case utf8.RuneCountInString(p.Text) > 4096:
		answer(400, "Bad Request: message is too long")
		return
	}
	for _, tag := range regexp.MustCompile(`<[^>]*>`).FindAllString(p.Text, -1) {
		if !allowedTag.MatchString(tag) {
			answer(400, "Bad Request: can't parse entities: unsupported start tag "+tag)
			return
		}
	}
	if err := xml.Unmarshal([]byte("<m>"+strings.NewReplacer("&#42;", "*", "&#96;", "`", "&#95;", "_").Replace(p.Text)+"</m>"), new(struct{})); err != nil {
		answer(400, "Bad Request: can't parse entities: "+err.Error())
		return
	}
	b.mu.Lock()
	b.texts = append(b.texts, p.Text)
	b.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": map[string]any{"message_id": 1}})
}

func (b *bot) Events() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, t := range b.texts {
		n += strings.Count(t, "Policy updated")
	}
	return n
}
func (b *bot) Requests() int     { b.mu.Lock(); defer b.mu.Unlock(); return b.reqs }
func (b *bot) Secrets() []string { return []string{"AAHsecretbottoken"} }
func (b *bot) Fail(f sinktest.Failure) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fail = f
	return true
}

func startBot(t *testing.T) (*Sink, *bot) {
	b := &bot{}
	srv := httptest.NewServer(b)
	t.Cleanup(srv.Close)
	return New(Telegram("-1001234567890"), srv.URL+"/bot"+botToken+"/sendMessage", 0, time.UTC), b
}

func TestTelegramConformance(t *testing.T) {
	sinktest.Run(t, func(t *testing.T) (sink.Sink, sinktest.Receiver) { return startBot(t) })
}

// birdseye's bold and code become tags; a hostile name is entities, with
// no tag, link or mention of its own, and reads as it was.
func TestTelegramGetsHTMLAndAHostileNameStaysText(t *testing.T) {
	s, b := startBot(t)
	name := "@channel <b>x</b> `code` *bold* _it_ & <a href=\"http://evil.example\">y</a>"
	batch := sink.Batch{Alerts: []string{"NetBird API unreachable for 10 min"}, Events: []event.Event{{ID: 1, Timestamp: "2026-11-23T08:00:00Z",
		ActivityCode: "peer.setupkey.add", InitiatorName: name, Meta: event.Meta{{Key: "name", Value: name}}}}}
	require.NoError(t, s.Deliver(t.Context(), batch))
	require.Len(t, b.texts, 1)
	text := b.texts[0]
	require.Contains(t, text, "🚨 <b>NetBird forwarder</b>: NetBird API unreachable for 10 min")
	require.Contains(t, text, "<code>2026-11-23 08:00:00</code>")
	require.NotContains(t, text, "<a ", "no link from a value")
	require.NotContains(t, text, "<b>x</b>", "no tag from a value")
	require.Contains(t, text, "&lt;b&gt;x&lt;/b&gt;")
	require.NotRegexp(t, `(^|\s)@channel`, text)
	require.Contains(t, text, "evil.example", "the name is still shown")

	err := New(Telegram("-1"), strings.Replace(s.url, "/sendMessage", "/sendMessage", 1), 0, time.UTC).Deliver(t.Context(), sink.Batch{Events: sinktest.Events(1, 0)})
	require.True(t, sink.IsPermanent(err))
	require.ErrorContains(t, err, "HTTP 400: Bad Request: chat not found")
	require.NotContains(t, err.Error(), "AAHsecret", "the bot token is cut from the URL")
}
