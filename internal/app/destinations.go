package app

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/chat"
	"github.com/styliteag/birdseye/internal/sink/email"
	"github.com/styliteag/birdseye/internal/sink/file"
	"github.com/styliteag/birdseye/internal/sink/mattermost"
	"github.com/styliteag/birdseye/internal/sink/ntfy"
	"github.com/styliteag/birdseye/internal/sink/stdout"
	"github.com/styliteag/birdseye/internal/sink/syslog"
	"github.com/styliteag/birdseye/internal/sink/webhook"
)

// The constructors of the configured destinations, shared by the daemon
// (behind outboxes) and `birdseye sinks test` (direct).

func newMattermost(cfg *config.Config) *mattermost.Sink {
	m := cfg.Mattermost
	return mattermost.New(mattermost.Config{URL: m.WebhookURL.Reveal(), Username: m.Username, Channel: m.Channel, IconURL: m.IconURL,
		BurstLimit: int(cfg.Forwarder.BurstLimit)}, cfg.Log.TZ.Loc)
}

func newWebhook(cfg *config.Config) *webhook.Sink {
	w := cfg.Webhook
	headers, _ := w.HeaderMap() // validated at load
	return webhook.New(webhook.Config{URL: w.URL.Reveal(), Headers: headers, Secret: w.Secret.Reveal(), NDJSON: w.Format == "ndjson"})
}

func newSyslog(cfg *config.Config) (*syslog.Sink, error) {
	sl := cfg.Syslog
	network, addr, err := sl.Target()
	if err != nil {
		return nil, err
	}
	roots, err := sl.TLSRoots()
	if err != nil {
		return nil, err
	}
	host, _, _ := net.SplitHostPort(addr)
	return syslog.New(syslog.Config{Network: network, Addr: addr, RFC3164: sl.Format == "rfc3164", AppName: sl.AppName,
		TLS: &tls.Config{RootCAs: roots, ServerName: host, MinVersion: tls.VersionTLS12}}), nil
}

func newFile(cfg *config.Config) *file.Sink {
	fs := cfg.File
	return file.New(file.Config{Path: fs.Path, MaxBytes: int64(fs.MaxMB) << 20, Keep: int(fs.Keep)})
}

// chatDest is a chat webhook that is on, with its filter.
type chatDest struct {
	sink    *chat.Sink
	prefix  string // of its variables: SLACK, DISCORD, TEAMS
	include config.Globs
	exclude config.Globs
}

// chats are the chat webhooks the configuration turns on.
func chats(cfg *config.Config) []chatDest {
	c := cfg.Chat
	var out []chatDest
	for _, x := range []struct {
		f      chat.Flavor
		url    config.Secret
		prefix string
		i, e   config.Globs
	}{{chat.Slack, c.SlackURL, "SLACK", c.SlackInclude, c.SlackExclude}, {chat.Discord, c.DiscordURL, "DISCORD", c.DiscordInclude, c.DiscordExclude},
		{chat.Teams, c.TeamsURL, "TEAMS", c.TeamsInclude, c.TeamsExclude}} {
		if x.url != "" {
			out = append(out, chatDest{chat.New(x.f, x.url.Reveal(), int(cfg.Forwarder.BurstLimit), cfg.Log.TZ.Loc), x.prefix, x.i, x.e})
		}
	}
	return out
}

func newNtfy(cfg *config.Config) *ntfy.Sink {
	return ntfy.New(cfg.Ntfy.URL.Reveal(), cfg.Ntfy.Token.Reveal(), int(cfg.Forwarder.BurstLimit), cfg.Log.TZ.Loc)
}

// Configured are the destinations the configuration turns on, built
// without outboxes, stdout first.
func Configured(cfg *config.Config, out io.Writer) ([]sink.Sink, error) {
	all := []sink.Sink{stdout.New(out, cfg.Log.TZ.Loc)}
	if cfg.Mattermost.Enabled() {
		all = append(all, newMattermost(cfg))
	}
	for _, c := range chats(cfg) {
		all = append(all, c.sink)
	}
	if cfg.Webhook.Enabled() {
		all = append(all, newWebhook(cfg))
	}
	if cfg.Syslog.Enabled() {
		s, err := newSyslog(cfg)
		if err != nil {
			return nil, err
		}
		all = append(all, s)
	}
	if cfg.File.Enabled() {
		all = append(all, newFile(cfg))
	}
	if cfg.Ntfy.URL != "" {
		all = append(all, newNtfy(cfg))
	}
	if cfg.Email.Enabled() {
		all = append(all, email.New(mailConfig(cfg), cfg.Log.TZ.Loc))
	}
	return all, nil
}

// SinkTestResult is how one destination took the sample event.
type SinkTestResult struct {
	Sink string
	Err  error
}

// TestSinks sends one sample event, straight (no outbox, no filter), to
// every configured destination or to the one named, and says how each took
// it.
func TestSinks(ctx context.Context, cfg *config.Config, out io.Writer, name string) ([]SinkTestResult, error) {
	all, err := Configured(cfg, out)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range all {
		names = append(names, s.Name())
	}
	if name != "" && !slices.Contains(names, name) {
		return nil, &config.Error{Var: "sinks test NAME", Msg: fmt.Sprintf("=%q is not a configured sink; expected one of: %s", name, strings.Join(names, ", "))}
	}
	host, _ := os.Hostname()
	sample := event.Event{ActivityCode: "birdseye.test", Activity: "birdseye sink test from " + host, InitiatorID: "sys", InitiatorLabel: "birdseye",
		Stream: event.StreamWatch, Key: fmt.Sprint("birdseye.test|", time.Now().UnixNano()), TargetID: host,
		Timestamp: time.Now().UTC().Format(time.RFC3339Nano), Meta: event.Meta{{Key: "host", Value: host}}}
	var results []SinkTestResult
	for _, s := range all {
		if name != "" && s.Name() != name {
			continue
		}
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := s.Deliver(ctx, sink.Batch{Events: []event.Event{sample}})
		cancel()
		if c, ok := s.(io.Closer); ok {
			c.Close()
		}
		results = append(results, SinkTestResult{Sink: s.Name(), Err: err})
	}
	return results, nil
}
