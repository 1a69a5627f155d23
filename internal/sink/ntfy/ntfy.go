// Package ntfy sends a push notification per batch to an ntfy topic
// (ntfy.sh or a self-hosted ntfy): a title that counts what happened, the
// event lines as the message, and a priority by the most serious event in
// it, so that a phone rings for a deleted policy and not for a login.
package ntfy

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/render"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/httppost"
)

// MaxBytes is ntfy's message limit: a longer body would become an
// attachment, so the message is cut there with a count of what is left out.
const MaxBytes = 4096

// Sink posts to one topic URL (https://ntfy.sh/<topic>).
type Sink struct {
	url, token string
	burst      int
	loc        *time.Location
	http       *http.Client
}

// New returns a sink; token (optional) is an ntfy access token.
func New(url, token string, burstLimit int, loc *time.Location) *Sink {
	return &Sink{url: url, token: token, burst: burstLimit, loc: loc, http: &http.Client{Timeout: 15 * time.Second}}
}

func (s *Sink) Name() string { return "ntfy" }

// Priority is ntfy's 1-5 for a batch: 5 (urgent) for birdseye's alerts, 4
// (high) when an event is security-relevant (what syslog marks warning), 3
// otherwise.
func Priority(b sink.Batch) int {
	if len(b.Alerts) > 0 {
		return 5
	}
	for _, e := range b.Events {
		if event.Severity(e) <= 4 {
			return 4
		}
	}
	return 3
}

func title(b sink.Batch) string {
	switch {
	case len(b.Alerts) > 0:
		return "NetBird: " + b.Alerts[0]
	case len(b.Events) == 1:
		return "NetBird: " + render.Clean(b.Events[0].ActivityCode) + " by " + render.Clean(b.Events[0].Initiator())
	}
	return fmt.Sprintf("NetBird: %d events", len(b.Events))
}

// Message is the body: alerts, notices, then a line per event (bursts and
// traffic rows summarised), cut at MaxBytes.
func (s *Sink) Message(b sink.Batch) string {
	lines := b.Notices("ntfy")
	for _, it := range render.Items(b.Events, s.burst) {
		e := b.Events[it[0]]
		switch {
		case e.Row():
			lines = append(lines, render.StreamText(b.Events, it, s.loc))
		case len(it) > 1:
			lines = append(lines, render.BurstText(b.Events, it, s.loc))
		default:
			lines = append(lines, short(e, s.loc))
		}
	}
	var out strings.Builder
	for i, l := range lines {
		more := fmt.Sprintf("… and %d more lines", len(lines)-i)
		if out.Len()+len(l)+1 > MaxBytes-len(more)-1 {
			out.WriteString(more)
			break
		}
		if i > 0 {
			out.WriteByte('\n')
		}
		out.WriteString(l)
	}
	return out.String()
}

// short is an event on a phone's screen: time, what, who, on what.
// Text from the API is cleaned as on every text sink (render.Clean): a
// name cannot add a line or hide text with control characters.
func short(e event.Event, loc *time.Location) string {
	l := render.Time(e, loc)[11:] + " " + render.Clean(e.Activity)
	if n := e.Meta.Get("name"); n != "" {
		l += ": " + render.Clean(n)
	}
	l += " (" + render.Clean(e.Initiator()) + ")"
	if d := render.DiffLine(e); d != "" {
		l += " " + d
	}
	return l
}

// Deliver sends one notification for the batch.
func (s *Sink) Deliver(ctx context.Context, b sink.Batch) error {
	if b.Empty() {
		return nil
	}
	h := map[string]string{"Title": header(title(b)), "Priority": strconv.Itoa(Priority(b)), "Tags": "shield", "Content-Type": "text/plain; charset=utf-8"}
	if s.token != "" {
		h["Authorization"] = "Bearer " + s.token
	}
	return httppost.Do(ctx, s.http, httppost.Request{Sink: "ntfy", URL: s.url, Body: []byte(s.Message(b)), Headers: h})
}

// header keeps a header value to one line of printable text, cut at 200.
func header(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 32 {
			return ' '
		}
		return r
	}, s)
	for len(s) > 200 {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return mime.BEncoding.Encode("UTF-8", s) // ntfy decodes RFC 2047 headers; plain ASCII stays as it is
}
