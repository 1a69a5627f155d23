// Package mmfake is a stand-in for a Mattermost incoming webhook, faithful to
// what the server checks (mattermost/mattermost server/channels/web/webhook.go
// and app/webhook.go): POST /hooks/{id} only, the body decoded as JSON unless
// form-encoded, `text` required, an unknown hook id answered 400 "Invalid
// webhook.", JSON error bodies, 200 "ok" on success, bodies over 300 KB
// refused, and text longer than 16383 runes split into several posts.
package mmfake

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

const maxRunes = 16383

// Post is one stored post.
type Post struct {
	Hook, Text, Username, Channel, IconURL string
}

// Server is the stand-in. Hooks lists the valid hook ids.
type Server struct {
	mu       sync.Mutex
	hooks    map[string]bool
	posts    []Post
	requests int
	fail     []int // statuses to answer next, in order
	late     time.Duration
}

// AnswerLate makes the server store each post at once but answer d later:
// the moment a client that gives up early would send the post again.
func (s *Server) AnswerLate(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.late = d
}

// New returns a server that knows the given hook ids.
func New(hooks ...string) *Server {
	s := &Server{hooks: map[string]bool{}}
	for _, h := range hooks {
		s.hooks[h] = true
	}
	return s
}

// FailNext answers the next len(statuses) valid requests with these
// statuses; 0 lets that request through.
func (s *Server) FailNext(statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = append(s.fail, statuses...)
}

// Down makes every request fail with status until Up.
func (s *Server) Down(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = []int{-status}
}

// Up ends Down and any queued failures.
func (s *Server) Up() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = nil
}

// Posts returns the stored posts.
func (s *Server) Posts() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Post(nil), s.posts...)
}

// Requests counts the requests that reached a valid route.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

var route = regexp.MustCompile(`^/hooks/([A-Za-z0-9]+)$`)

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := route.FindStringSubmatch(r.URL.Path)
	if m == nil {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	s.mu.Lock()
	s.requests++
	status := 0
	if len(s.fail) > 0 {
		status = s.fail[0]
		if status < 0 {
			status = -status // Down: stays
		} else {
			s.fail = s.fail[1:]
		}
	}
	s.mu.Unlock()
	if status != 0 {
		writeError(w, status, "api.test.injected", "Injected failure.")
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 300_001))
	if err != nil {
		writeError(w, 400, "web.incoming_webhook.parse.app_error", "Unable to parse incoming data.")
		return
	}
	if len(raw) > 300_000 {
		writeError(w, http.StatusRequestEntityTooLarge, "web.incoming_webhook.too_large.app_error", "Request body too large.")
		return
	}
	var req struct {
		Text     string `json:"text"`
		Username string `json:"username"`
		Channel  string `json:"channel"`
		IconURL  string `json:"icon_url"`
	}
	ct := r.Header.Get("Content-Type")
	mt := ""
	if ct != "" {
		if mt, _, err = mime.ParseMediaType(ct); err != nil {
			writeError(w, 400, "api.webhook.incoming.error", "Could not decode the multipart payload of incoming webhook.")
			return
		}
	}
	if mt == "application/x-www-form-urlencoded" {
		form, _ := url.ParseQuery(string(raw))
		raw = []byte(form.Get("payload"))
	}
	if json.Unmarshal(raw, &req) != nil {
		writeError(w, 400, "model.incoming_hook.parse_data.app_error", "Unable to parse incoming data.")
		return
	}
	if req.Text == "" {
		writeError(w, 400, "web.incoming_webhook.text.app_error", "No text specified.")
		return
	}
	if !s.hooks[m[1]] {
		writeError(w, 400, "web.incoming_webhook.invalid.app_error", "Invalid webhook.")
		return
	}
	s.mu.Lock()
	for _, part := range split(req.Text) {
		s.posts = append(s.posts, Post{Hook: m[1], Text: part, Username: req.Username, Channel: req.Channel, IconURL: req.IconURL})
	}
	late := s.late
	s.mu.Unlock()
	select {
	case <-time.After(late):
	case <-r.Context().Done():
	}
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, "ok")
}

// split is the server's own cut of over-long text, by runes.
func split(text string) []string {
	var out []string
	for utf8.RuneCountInString(text) > maxRunes {
		r := []rune(text)
		out = append(out, string(r[:maxRunes]))
		text = string(r[maxRunes:])
	}
	return append(out, text)
}

func writeError(w http.ResponseWriter, status int, id, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]any{"id": id, "message": msg, "detailed_error": "", "request_id": "fakerequestid", "status_code": status})
	w.Write(b)
}

// Text joins the stored posts' text, for assertions.
func Text(posts []Post) string {
	var b strings.Builder
	for i, p := range posts {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Text)
	}
	return b.String()
}
