// Package mattermost is the sink that posts to a Mattermost incoming webhook:
// one post per batch in the old tool's markdown, split on line boundaries
// when longer than Mattermost accepts. The webhook URL is a secret: errors
// and logs show it redacted.
package mattermost

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/render"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/httppost"
)

// MaxRunes is the longest post Mattermost stores (PostMessageMaxRunesV2).
const MaxRunes = 16383

// Config is the webhook and how posts are labelled.
type Config struct {
	URL      string // secret
	Username string
	Channel  string // optional
	IconURL  string // optional
	// BurstLimit: more audit events than this of one code by one initiator
	// in a batch share a summary line; 0 = never.
	BurstLimit int
}

// Sink posts batches to a webhook.
type Sink struct {
	cfg  Config
	loc  *time.Location
	http *http.Client
}

// New returns a sink; loc is the time zone of displayed times.
func New(cfg Config, loc *time.Location) *Sink {
	return &Sink{cfg: cfg, loc: loc, http: &http.Client{Timeout: 15 * time.Second}}
}

func (s *Sink) Name() string { return "mattermost" }

// AlertPrefix starts birdseye's own messages, as in the old tool.
const AlertPrefix = render.AlertPrefix

// Lines renders a batch for Mattermost; see render.Markup.ChatLines.
func Lines(b sink.Batch, loc *time.Location, burst int) (lines []string, lineOf []int) {
	return render.Mattermost.ChatLines(ChatBatch(b, "Mattermost"), loc, burst)
}

// ChatBatch is a batch as the chat renderings take it; name is the sink's,
// for "the <name> outbox was full".
func ChatBatch(b sink.Batch, name string) render.ChatBatch {
	return render.ChatBatch{Alerts: b.Alerts, Dropped: b.Dropped, Skipped: b.Skipped, Events: b.Events, Outbox: name}
}

// Text is the whole message of a batch.
func Text(b sink.Batch, loc *time.Location) string {
	lines, _ := Lines(b, loc, 0)
	return strings.Join(lines, "\n")
}

// Deliver posts the batch, split into as many posts as needed, in order. When
// a later post fails, the error says how many events the posts before it
// carried, so that only the rest is posted again.
func (s *Sink) Deliver(ctx context.Context, b sink.Batch) error {
	if b.Empty() {
		return nil
	}
	lines, lineOf := Lines(b, s.loc, s.cfg.BurstLimit)
	sent := 0
	for _, p := range render.SplitLines(lines, MaxRunes) {
		if err := s.Post(ctx, p.Text); err != nil {
			if n := sink.Delivered(lineOf, sent); n > 0 {
				return &sink.PartialError{Delivered: n, Err: err}
			}
			return err
		}
		sent += p.Lines
	}
	return nil
}

type payload struct {
	Text     string `json:"text"`
	Username string `json:"username,omitempty"`
	Channel  string `json:"channel,omitempty"`
	IconURL  string `json:"icon_url,omitempty"`
}

// Post sends one message. 429 and 5xx are worth retrying; any other 4xx is
// a configuration problem (a deleted hook answers 400 "Invalid webhook.")
// and is returned as permanent, with Mattermost's message.
func (s *Sink) Post(ctx context.Context, text string) error {
	body, err := json.Marshal(payload{Text: text, Username: s.cfg.Username, Channel: s.cfg.Channel, IconURL: s.cfg.IconURL})
	if err != nil {
		return err
	}
	return httppost.Do(ctx, s.http, httppost.Request{Sink: "mattermost", URL: s.cfg.URL, Body: body, Headers: map[string]string{"Content-Type": "application/json"}})
}

// Redact shows where a webhook points without its secret part (the hook
// id cut to its first four characters).
func Redact(raw string) string { return httppost.Redact(raw) }

// ProbeText is the start-up probe of MATTERMOST_STARTUP_TEST.
func ProbeText(host string, now time.Time) string {
	return fmt.Sprintf(":white_check_mark: **birdseye startup** — posted by `%s` at `%s UTC`. Webhook works.", host, now.UTC().Format("2006-01-02 15:04"))
}
