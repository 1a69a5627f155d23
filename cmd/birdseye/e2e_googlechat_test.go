package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// The daemon posts the audit log to a Google Chat space's webhook: Chat's
// markup, a value's < broken, the key and token never in its log; a 429
// (Google's limit is about one message a second) is waited out, nothing lost.
func TestE2EGoogleChatPostsEachPollInItsMarkup(t *testing.T) {
	const key, token = "AIzaSyE2EkeyXXXXXXXXXXXXXXXXXXXXXXXXXXX", "e2eSpaceTokenXXXXXXXXXXXXXXXXXXXXXX"
	var mu sync.Mutex
	var texts []string
	refused := 0
	space := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ Text string }
		body, _ := io.ReadAll(r.Body)
		json.Unmarshal(body, &m)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.URL.Path != "/v1/spaces/AAQAe2e/messages" || r.URL.Query().Get("key") != key || r.URL.Query().Get("token") != token:
			w.WriteHeader(401)
			io.WriteString(w, `{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}`)
		case refused == 0 && strings.Contains(m.Text, "Policy updated"):
			refused++
			w.WriteHeader(429)
			io.WriteString(w, `{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}`)
		default:
			texts = append(texts, m.Text)
			io.WriteString(w, `{"name":"spaces/AAQAe2e/messages/1"}`)
		}
	}))
	defer space.Close()
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	d := start(t, baseEnv(t, api, filepath.Join(t.TempDir(), "state.json"),
		"GOOGLE_CHAT_WEBHOOK_URL="+space.URL+"/v1/spaces/AAQAe2e/messages?key="+key+"&token="+token))
	d.waitLog("first boot")
	f.AddN(3, "policy.update", "web <users/all>")
	d.waitFor("the message after the 429", func() bool { mu.Lock(); defer mu.Unlock(); return len(texts) >= 1 })
	mu.Lock()
	all := strings.Join(texts, "\n")
	mu.Unlock()
	require.Equal(t, 3, strings.Count(all, "*Policy updated*"), "each event once, after the refusal")
	require.Contains(t, all, "web <\u2060users/all>", "a value's < is broken")
	require.NotContains(t, all, "<users/")
	require.Contains(t, d.logs(), "HTTP 429: Resource has been exhausted")
	require.NotContains(t, d.logs(), "e2eSpaceToken")
	require.NotContains(t, d.logs(), "AIzaSyE2E")
}
