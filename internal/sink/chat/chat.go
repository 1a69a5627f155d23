// Package chat posts batches to the incoming webhooks of Slack, Discord,
// Microsoft Teams (workflow webhooks), Google Chat and to a Telegram bot: the chat rendering Mattermost uses too
// (render.ChatLines: one line an event, summaries of bursts and traffic rows,
// diff bullets) adapted to each one's markdown and size limit, split on line
// boundaries (render.SplitLines), posted in order.
package chat

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/render"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/httppost"
)

// Flavor is what differs between the chat services.
type Flavor struct {
	Name string
	// MaxRunes is the longest message the service takes.
	MaxRunes int
	// Markup makes values from the API inert in the service's markdown.
	Markup render.Markup
	// Line adapts one Mattermost-markdown line.
	Line func(string) string
	// Payload wraps a message's text in the service's JSON.
	Payload func(text string) any
}

var bold = regexp.MustCompile(`\*\*([^*]+)\*\*`)

// Slack's mrkdwn: *bold*, _italic_, `code`; shortcodes work. Messages up to
// 40,000 characters; birdseye splits at 12,000 to stay readable.
var Slack = Flavor{Name: "slack", MaxRunes: 12000, Markup: render.Slack,
	Line:    func(l string) string { return bold.ReplaceAllString(l, "*$1*") },
	Payload: func(t string) any { return map[string]any{"text": t, "mrkdwn": true} },
}

// Discord takes Mattermost's markdown but not emoji shortcodes from a
// webhook, and 2,000 characters a message.
var Discord = Flavor{Name: "discord", MaxRunes: 2000, Markup: render.Discord,
	Line: unicodeEmoji,
	Payload: func(t string) any {
		return map[string]any{"content": t, "allowed_mentions": map[string]any{"parse": []string{}}}
	},
}

// Teams (a workflow "post to a channel when a webhook request is
// received") gets an Adaptive Card; its TextBlock markdown has bold and
// italics but no code spans, and a card takes about 28 KB.
var Teams = Flavor{Name: "teams", MaxRunes: 12000, Markup: render.Teams,
	Line: func(l string) string { return strings.ReplaceAll(unicodeEmoji(l), "`", "") },
	Payload: func(t string) any {
		return map[string]any{"type": "message", "attachments": []any{map[string]any{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"content": map[string]any{"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4",
				"body": []any{map[string]any{"type": "TextBlock", "text": strings.ReplaceAll(t, "\n", "\n\n"), "wrap": true}}},
		}}}
	},
}

var (
	codeSpan = regexp.MustCompile("`([^`]*)`")
	italic   = regexp.MustCompile(`(^|\s)_([^_]+)_(\s|$)`)
)

// Telegram is a bot's sendMessage to one chat (parse_mode HTML): birdseye's
// bold, code spans and italics become tags, the values inside are
// entities (render.Telegram); 4,096 characters a message.
func Telegram(chatID string) Flavor {
	return Flavor{Name: "telegram", MaxRunes: 4000, Markup: render.Telegram,
		Line: func(l string) string {
			l = bold.ReplaceAllString(unicodeEmoji(l), "<b>$1</b>")
			l = codeSpan.ReplaceAllString(l, "<code>$1</code>")
			return italic.ReplaceAllString(l, "$1<i>$2</i>$3")
		},
		Payload: func(t string) any {
			return map[string]any{"chat_id": chatID, "text": t, "parse_mode": "HTML", "link_preview_options": map[string]any{"is_disabled": true}}
		},
	}
}

// GoogleChat is a space's incoming webhook: {"text": …} in Chat's own
// markup (*bold*, _italic_, `code`), no shortcodes. A message holds 32,000
// bytes; 4,000 characters stay under that whatever the script.
var GoogleChat = Flavor{Name: "googlechat", MaxRunes: 4000, Markup: render.GoogleChat,
	Line:    func(l string) string { return bold.ReplaceAllString(unicodeEmoji(l), "*$1*") },
	Payload: func(t string) any { return map[string]any{"text": t} },
}

var shortcodes = strings.NewReplacer(":rotating_light:", "🚨", ":warning:", "⚠️", ":white_check_mark:", "✅")

func unicodeEmoji(l string) string { return shortcodes.Replace(l) }

// Sink posts to one service's webhook.
type Sink struct {
	flavor Flavor
	url    string
	burst  int
	loc    *time.Location
	http   *http.Client
}

// New returns a sink for the flavor's webhook url (a secret).
func New(f Flavor, url string, burstLimit int, loc *time.Location) *Sink {
	return &Sink{flavor: f, url: url, burst: burstLimit, loc: loc, http: &http.Client{Timeout: 15 * time.Second}}
}

func (s *Sink) Name() string { return s.flavor.Name }

// Deliver posts the batch in as many messages as the service's limit asks,
// in order; a failed later message reports the events the earlier carried.
func (s *Sink) Deliver(ctx context.Context, b sink.Batch) error {
	if b.Empty() {
		return nil
	}
	lines, lineOf := s.flavor.Markup.ChatLines(render.ChatBatch{Alerts: b.Alerts, Dropped: b.Dropped, Skipped: b.Skipped, Events: b.Events, Outbox: s.flavor.Name}, s.loc, s.burst)
	for i := range lines {
		lines[i] = s.flavor.Line(lines[i])
	}
	sent := 0
	for _, p := range render.SplitLines(lines, s.flavor.MaxRunes) {
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

// Post sends one message.
func (s *Sink) Post(ctx context.Context, text string) error {
	body, err := json.Marshal(s.flavor.Payload(text))
	if err != nil {
		return err
	}
	return httppost.Do(ctx, s.http, httppost.Request{Sink: s.flavor.Name, URL: s.url, Body: body,
		Headers: map[string]string{"Content-Type": "application/json"}})
}
