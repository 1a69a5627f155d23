package config

import (
	"fmt"
	"net/url"
	"strings"
)

// Webhook is the generic signed webhook sink; an empty URL turns it off.
type Webhook struct {
	URL     Secret `envconfig:"WEBHOOK_URL" desc:"endpoint the events are POSTed to as JSON (empty = off)"`
	Headers Secret `envconfig:"WEBHOOK_HEADERS" desc:"extra request headers, 'Name: value' pairs separated by ';' (a secret: they often hold a token)"`
	Secret  Secret `envconfig:"WEBHOOK_SECRET" desc:"key of the X-Birdseye-Signature HMAC-SHA256 header (empty = unsigned)"`
	Format  string `envconfig:"WEBHOOK_FORMAT" default:"json" desc:"json (one array a request) or ndjson (one event a line)"`
	Include Globs  `envconfig:"WEBHOOK_INCLUDE" default:"*" desc:"activity-code globs posted to the webhook"`
	Exclude Globs  `envconfig:"WEBHOOK_EXCLUDE" default:"" desc:"activity-code globs not posted to the webhook"`
}

// Enabled reports whether the sink is on.
func (w Webhook) Enabled() bool { return w.URL != "" }

// HeaderMap parses WEBHOOK_HEADERS.
func (w Webhook) HeaderMap() (map[string]string, error) {
	out := map[string]string{}
	for i, pair := range strings.Split(w.Headers.Reveal(), ";") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		name, value, ok := strings.Cut(pair, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t\"(),/<>?@[]{}=") {
			// The entry may hold a token: it is named by its position only.
			return nil, &Error{Var: "WEBHOOK_HEADERS", Msg: fmt.Sprintf("entry %d is not 'Name: value'; expected e.g. Authorization: Bearer <token>; X-Team: ops", i+1)}
		}
		out[name] = strings.TrimSpace(value)
	}
	return out, nil
}

func (w Webhook) validate() error {
	if !w.Enabled() {
		return nil
	}
	u, err := url.Parse(w.URL.Reveal())
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &Error{Var: "WEBHOOK_URL", Msg: "is not an http(s) URL; expected e.g. https://siem.example.com/ingest/netbird"}
	}
	if w.Format != "json" && w.Format != "ndjson" {
		return &Error{Var: "WEBHOOK_FORMAT", Msg: fmt.Sprintf("=%q is not a format; expected json or ndjson", w.Format)}
	}
	_, err = w.HeaderMap()
	return err
}
