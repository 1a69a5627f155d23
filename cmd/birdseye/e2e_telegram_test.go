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

// The daemon posts the audit log to a Telegram chat through the Bot API:
// one HTML message per poll, the token never in its log.
func TestE2ETelegramPostsEachPollAsHTML(t *testing.T) {
	const token = "123456789:AAHe2esecrettokenXXXXXXXXXXXXXXXXXX"
	var mu sync.Mutex
	var texts []string
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p struct {
			ChatID    string `json:"chat_id"`
			Text      string
			ParseMode string `json:"parse_mode"`
		}
		body, _ := io.ReadAll(r.Body)
		json.Unmarshal(body, &p)
		if r.URL.Path != "/bot"+token+"/sendMessage" || p.ChatID != "@netbird-ops" || p.ParseMode != "HTML" {
			w.WriteHeader(400)
			io.WriteString(w, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`)
			return
		}
		mu.Lock()
		texts = append(texts, p.Text)
		mu.Unlock()
		io.WriteString(w, `{"ok":true,"result":{"message_id":1}}`)
	}))
	defer bot.Close()
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	d := start(t, baseEnv(t, api, filepath.Join(t.TempDir(), "state.json"), "TELEGRAM_BOT_TOKEN="+token, "TELEGRAM_CHAT_ID=@netbird-ops",
		"TELEGRAM_API_URL="+bot.URL))
	d.waitLog("first boot")
	f.AddN(3, "policy.update", "web <b>&")
	d.waitFor("a message", func() bool { mu.Lock(); defer mu.Unlock(); return len(texts) >= 1 })
	mu.Lock()
	all := strings.Join(texts, "\n")
	mu.Unlock()
	require.Equal(t, 3, strings.Count(all, "<b>Policy updated</b>"))
	require.Contains(t, all, "web &lt;b&gt;&amp;", "a value is entities")
	require.NotContains(t, d.logs(), "AAHe2esecret")
}
