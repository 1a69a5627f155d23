package config

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Webhook is the generic signed webhook sink; an empty URL turns it off.
type Webhook struct {
	URL     Secret `envconfig:"WEBHOOK_URL" desc:"endpoint the events are POSTed to as JSON (empty = off)"`
	Headers Secret `envconfig:"WEBHOOK_HEADERS" desc:"extra request headers, 'Name: value' pairs separated by ';' (a secret: they often hold a token)"`
	Secret  Secret `envconfig:"WEBHOOK_SECRET" desc:"signing key (empty = unsigned): any text for WEBHOOK_STYLE=birdseye; whsec_<base64> for standard, several space-separated while one is rotated out"`
	Style   string `envconfig:"WEBHOOK_STYLE" default:"birdseye" desc:"birdseye (X-Birdseye-Signature) or standard (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature)"`
	Format  string `envconfig:"WEBHOOK_FORMAT" default:"json" desc:"json (one array a request), ndjson (one event a line) or cloudevents (a CloudEvents 1.0 batch)"`
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
	if w.Format != "json" && w.Format != "ndjson" && w.Format != "cloudevents" {
		return &Error{Var: "WEBHOOK_FORMAT", Msg: fmt.Sprintf("=%q is not a format; expected json, ndjson or cloudevents", w.Format)}
	}
	switch w.Style {
	case "birdseye":
	case "standard":
		if w.Secret == "" {
			return &Error{Var: "WEBHOOK_SECRET", Msg: "is not set; WEBHOOK_STYLE=standard signs every request: expected whsec_<base64 key>"}
		}
		if _, err := w.StandardKeys(); err != nil {
			return err
		}
	default:
		return &Error{Var: "WEBHOOK_STYLE", Msg: fmt.Sprintf("=%q is not a style; expected birdseye or standard", w.Style)}
	}
	_, err = w.HeaderMap()
	return err
}

// StandardKeys are WEBHOOK_SECRET's Standard Webhooks keys, decoded.
func (w Webhook) StandardKeys() ([][]byte, error) {
	var keys [][]byte
	for i, s := range strings.Fields(w.Secret.Reveal()) {
		k, err := StandardSecret(s)
		if err != nil {
			// The secret is not repeated: only which one and what is wrong.
			return nil, &Error{Var: "WEBHOOK_SECRET", Msg: fmt.Sprintf("secret %d %v; expected whsec_ and a base64 key of 24 to 64 bytes, as Standard Webhooks libraries make them", i+1, err)}
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// StandardSecret decodes a Standard Webhooks secret: "whsec_" and the key
// in base64 (24 to 64 bytes).
func StandardSecret(s string) ([]byte, error) {
	b64, ok := strings.CutPrefix(strings.TrimSpace(s), "whsec_")
	if !ok {
		return nil, errors.New("does not start with whsec_")
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, errors.New("has no base64 key after whsec_")
	}
	if len(key) < 24 || len(key) > 64 {
		return nil, fmt.Errorf("has a key of %d bytes", len(key))
	}
	return key, nil
}

// Syslog is the syslog sink; an empty address turns it off.
type Syslog struct {
	Addr    string `envconfig:"SYSLOG_ADDR" desc:"receiver as udp://host:514, tcp://host:601 or tls://host:6514 (empty = off)"`
	Format  string `envconfig:"SYSLOG_FORMAT" default:"rfc5424" desc:"rfc5424 (fields as structured data) or rfc3164 (the old BSD format)"`
	AppName string `envconfig:"SYSLOG_APP_NAME" default:"birdseye" desc:"APP-NAME (tag) of the messages"`
	CAFile  string `envconfig:"SYSLOG_CA_FILE" desc:"PEM file of the CA that signed the receiver's certificate, for tls:// (empty = the system's roots)"`
	Include Globs  `envconfig:"SYSLOG_INCLUDE" default:"*" desc:"activity-code globs sent to syslog"`
	Exclude Globs  `envconfig:"SYSLOG_EXCLUDE" default:"" desc:"activity-code globs not sent to syslog"`
}

// Enabled reports whether the sink is on.
func (s Syslog) Enabled() bool { return s.Addr != "" }

// Target splits SYSLOG_ADDR into network (udp, tcp, tls) and host:port.
func (s Syslog) Target() (network, addr string, err error) {
	u, perr := url.Parse(s.Addr)
	if perr != nil || (u.Scheme != "udp" && u.Scheme != "tcp" && u.Scheme != "tls") || u.Port() == "" || u.Hostname() == "" || (u.Path != "" && u.Path != "/") {
		return "", "", &Error{Var: "SYSLOG_ADDR", Msg: fmt.Sprintf("=%q is not udp://host:port, tcp://host:port or tls://host:port; expected e.g. tls://siem.example.com:6514", s.Addr)}
	}
	return u.Scheme, u.Host, nil
}

func (s Syslog) validate() error {
	if !s.Enabled() {
		return nil
	}
	if _, _, err := s.Target(); err != nil {
		return err
	}
	if s.Format != "rfc5424" && s.Format != "rfc3164" {
		return &Error{Var: "SYSLOG_FORMAT", Msg: fmt.Sprintf("=%q is not a format; expected rfc5424 or rfc3164", s.Format)}
	}
	if s.CAFile != "" {
		if _, err := readPEMPool(s.CAFile); err != nil {
			return &Error{Var: "SYSLOG_CA_FILE", Msg: fmt.Sprintf("=%q %v; expected a PEM file with the CA certificate", s.CAFile, err)}
		}
	}
	return nil
}

// readPEMPool reads a PEM file of CA certificates.
func readPEMPool(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot be read (%v)", errors.Unwrap(err))
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, errors.New("holds no PEM certificate")
	}
	return pool, nil
}

// TLSRoots are the roots to verify the syslog receiver with: SYSLOG_CA_FILE,
// or nil for the system's.
func (s Syslog) TLSRoots() (*x509.CertPool, error) {
	if s.CAFile == "" {
		return nil, nil
	}
	return readPEMPool(s.CAFile)
}

// File is the JSON Lines file sink; an empty path turns it off.
type File struct {
	Path    string `envconfig:"FILE_SINK_PATH" desc:"file the events are appended to as JSON Lines, for log shippers (empty = off)"`
	MaxMB   Count  `envconfig:"FILE_SINK_MAX_MB" default:"100" desc:"rotate the file when it would pass this many MiB (0 = never)"`
	Keep    Count  `envconfig:"FILE_SINK_KEEP" default:"5" desc:"rotated files kept (events.jsonl.1 … .N)"`
	Include Globs  `envconfig:"FILE_SINK_INCLUDE" default:"*" desc:"activity-code globs written to the file"`
	Exclude Globs  `envconfig:"FILE_SINK_EXCLUDE" default:"" desc:"activity-code globs not written to the file"`
}

// Enabled reports whether the sink is on.
func (f File) Enabled() bool { return f.Path != "" }

func (f File) validate() error {
	if !f.Enabled() {
		return nil
	}
	dir := filepath.Dir(f.Path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return &Error{Var: "FILE_SINK_PATH", Msg: fmt.Sprintf("=%q: its directory %s does not exist; expected a file in a mounted directory, e.g. /var/log/birdseye/events.jsonl", f.Path, dir)}
	}
	if st, err := os.Stat(f.Path); err == nil && st.IsDir() {
		return &Error{Var: "FILE_SINK_PATH", Msg: fmt.Sprintf("=%q is a directory; expected a file name in it, e.g. %s", f.Path, filepath.Join(f.Path, "events.jsonl"))}
	}
	return nil
}

// Chat are the Slack, Discord, Microsoft Teams and Google Chat incoming
// webhooks; an empty URL turns that one off.
type Chat struct {
	SlackURL       Secret `envconfig:"SLACK_WEBHOOK_URL" desc:"Slack incoming-webhook URL (empty = off)"`
	SlackInclude   Globs  `envconfig:"SLACK_INCLUDE" default:"*" desc:"activity-code globs posted to Slack"`
	SlackExclude   Globs  `envconfig:"SLACK_EXCLUDE" default:"" desc:"activity-code globs not posted to Slack"`
	DiscordURL     Secret `envconfig:"DISCORD_WEBHOOK_URL" desc:"Discord webhook URL (empty = off)"`
	DiscordInclude Globs  `envconfig:"DISCORD_INCLUDE" default:"*" desc:"activity-code globs posted to Discord"`
	DiscordExclude Globs  `envconfig:"DISCORD_EXCLUDE" default:"" desc:"activity-code globs not posted to Discord"`
	TeamsURL       Secret `envconfig:"TEAMS_WEBHOOK_URL" desc:"Microsoft Teams workflow webhook URL (\"post to a channel when a webhook request is received\"; empty = off)"`
	TeamsInclude   Globs  `envconfig:"TEAMS_INCLUDE" default:"*" desc:"activity-code globs posted to Teams"`
	TeamsExclude   Globs  `envconfig:"TEAMS_EXCLUDE" default:"" desc:"activity-code globs not posted to Teams"`
	GoogleURL      Secret `envconfig:"GOOGLE_CHAT_WEBHOOK_URL" desc:"Google Chat space webhook URL, https://chat.googleapis.com/v1/spaces/…/messages?key=…&token=… (empty = off)"`
	GoogleInclude  Globs  `envconfig:"GOOGLE_CHAT_INCLUDE" default:"*" desc:"activity-code globs posted to Google Chat"`
	GoogleExclude  Globs  `envconfig:"GOOGLE_CHAT_EXCLUDE" default:"" desc:"activity-code globs not posted to Google Chat"`
}

// Ntfy is the push-notification sink; an empty URL turns it off.
type Ntfy struct {
	URL     Secret `envconfig:"NTFY_URL" desc:"ntfy topic URL, e.g. https://ntfy.sh/<topic> (empty = off; on a public server the topic name is the secret)"`
	Token   Secret `envconfig:"NTFY_TOKEN" desc:"ntfy access token (tk_…) for a protected topic"`
	Include Globs  `envconfig:"NTFY_INCLUDE" default:"*" desc:"activity-code globs pushed to ntfy"`
	Exclude Globs  `envconfig:"NTFY_EXCLUDE" default:"" desc:"activity-code globs not pushed to ntfy"`
}

func httpURL(name string, v Secret, example string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v.Reveal())
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &Error{Var: name, Msg: "is not an http(s) URL; expected e.g. " + example}
	}
	return nil
}

func (c Chat) validate() error {
	return errors.Join(httpURL("SLACK_WEBHOOK_URL", c.SlackURL, "https://hooks.slack.com/services/T…/B…/…"),
		httpURL("DISCORD_WEBHOOK_URL", c.DiscordURL, "https://discord.com/api/webhooks/<id>/<token>"),
		httpURL("TEAMS_WEBHOOK_URL", c.TeamsURL, "the URL of the workflow's \"When a Teams webhook request is received\" trigger"),
		googleChatURL(c.GoogleURL))
}

// googleChatURL checks a Google Chat webhook: Google's own URLs carry the
// key and the token in the query, and a copy cut at the & is a common slip.
func googleChatURL(v Secret) error {
	const name, example = "GOOGLE_CHAT_WEBHOOK_URL", "https://chat.googleapis.com/v1/spaces/<space>/messages?key=<key>&token=<token>"
	if err := httpURL(name, v, example); err != nil || v == "" {
		return err
	}
	u, _ := url.Parse(v.Reveal())
	q := u.Query()
	switch {
	case u.Host != "chat.googleapis.com":
		return nil
	case q.Get("key") == "":
		return &Error{Var: name, Msg: "has no key; expected the whole URL the space's webhook shows, " + example}
	case q.Get("token") == "":
		return &Error{Var: name, Msg: "has no token; expected the whole URL the space's webhook shows, ending in &token=…"}
	}
	return nil
}

func (n Ntfy) validate() error {
	return httpURL("NTFY_URL", n.URL, "https://ntfy.sh/netbird-alerts-<random>")
}
