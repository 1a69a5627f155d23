// Package webhook posts events to any HTTP endpoint as JSON, signed, so
// that a receiver can reject forgeries and replays: one POST per batch (split
// at MaxBytes), a JSON array or NDJSON of birdseye's event schema (NetBird's
// fields, the resolved initiator, birdseye.* events, change diffs), an
// HMAC-SHA256 signature over timestamp and body, and an idempotency key per
// request so that a retried request can be recognised.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/httppost"
)

// Config is WEBHOOK_*.
type Config struct {
	URL     string            // secret
	Headers map[string]string // sent with every request (values are secrets)
	Secret  string            // HMAC key (birdseye style); empty = unsigned
	NDJSON  bool              // one event per line instead of a JSON array
	// Standard signs as Standard Webhooks do, with these keys (the decoded
	// whsec_ secrets; several while one is rotated out).
	Standard [][]byte
	// CloudEvents posts a CloudEvents 1.0 batch; Source is the NetBird URL
	// the events' sources are named under.
	CloudEvents bool
	Source      string
	// MaxBytes splits a batch into requests of at most this many bytes (an
	// event larger than that goes alone).
	MaxBytes int
}

// Header names.
const (
	SignatureHeader   = "X-Birdseye-Signature"
	IdempotencyHeader = "Idempotency-Key"
)

// Sink is the generic webhook.
type Sink struct {
	cfg  Config
	http *http.Client
	now  func() time.Time
}

// New returns a webhook sink.
func New(cfg Config) *Sink {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 1 << 20
	}
	return &Sink{cfg: cfg, http: &http.Client{Timeout: 15 * time.Second}, now: time.Now}
}

func (s *Sink) Name() string { return "webhook" }

// Deliver posts the batch, notices first, in requests of at most MaxBytes.
// When a later request fails, the error says how many events the earlier
// ones carried, so that only the rest is posted again.
func (s *Sink) Deliver(ctx context.Context, b sink.Batch) error {
	if b.Empty() {
		return nil
	}
	now := s.now()
	head := b.NoticeEvents("webhook", now)
	all := append(head, b.Events...)
	sent := 0
	for _, chunk := range s.split(all) {
		if err := s.post(ctx, all[sent:sent+chunk.n], chunk.body, now); err != nil {
			if done := sent - len(head); done > 0 {
				return &sink.PartialError{Delivered: done, Err: err}
			}
			return err
		}
		sent += chunk.n
	}
	return nil
}

type chunk struct {
	n    int
	body []byte
}

// split encodes the events into bodies of at most MaxBytes.
func (s *Sink) split(evs []event.Event) []chunk {
	var out []chunk
	var items [][]byte
	size := 0
	flush := func() {
		if len(items) > 0 {
			out = append(out, chunk{n: len(items), body: s.encode(items)})
			items, size = nil, 0
		}
	}
	for _, e := range evs {
		raw, _ := json.Marshal(e)
		if s.cfg.CloudEvents {
			raw = CloudEvent(e, s.cfg.Source)
		}
		if size > 0 && size+len(raw)+2 > s.cfg.MaxBytes {
			flush()
		}
		items = append(items, raw)
		size += len(raw) + 1
	}
	flush()
	return out
}

func (s *Sink) encode(items [][]byte) []byte {
	if s.cfg.NDJSON && !s.cfg.CloudEvents {
		return append(bytes.Join(items, []byte("\n")), '\n')
	}
	return append(append([]byte("["), bytes.Join(items, []byte(","))...), ']')
}

// Sign is the signature header's value: t=<unix seconds>,v1=<hex of
// HMAC-SHA256(secret, "<t>.<body>")>.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// IdempotencyKey identifies a request's events, the same on every retry of
// the same events: hex SHA-256 over their ids and keys.
func IdempotencyKey(evs []event.Event) string {
	h := sha256.New()
	for _, e := range evs {
		if e.Stream == "birdseye" { // a notice: stamped at each attempt, known by its text
			fmt.Fprintf(h, "notice|%s|%s\n", e.ActivityCode, e.Activity)
			continue
		}
		fmt.Fprintf(h, "%s|%d|%s|%s|%s\n", e.Stream, e.ID, e.Key, e.ActivityCode, e.Timestamp)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (s *Sink) post(ctx context.Context, evs []event.Event, body []byte, now time.Time) error {
	id := IdempotencyKey(evs)
	h := map[string]string{"Content-Type": "application/json", IdempotencyHeader: id, "X-Birdseye-Event-Count": strconv.Itoa(len(evs))}
	switch {
	case s.cfg.CloudEvents:
		h["Content-Type"] = "application/cloudevents-batch+json"
	case s.cfg.NDJSON:
		h["Content-Type"] = "application/x-ndjson"
	}
	for k, v := range s.cfg.Headers {
		h[k] = v
	}
	switch {
	case len(s.cfg.Standard) > 0:
		// webhook-id is the idempotency key: the same on every retry.
		h["webhook-id"], h["webhook-timestamp"] = id, strconv.FormatInt(now.Unix(), 10)
		h["webhook-signature"] = SignStandard(s.cfg.Standard, id, now, body)
	case s.cfg.Secret != "":
		h[SignatureHeader] = Sign(s.cfg.Secret, now, body)
	}
	return httppost.Do(ctx, s.http, httppost.Request{Sink: "webhook", URL: s.cfg.URL, Body: body, Headers: h})
}

// Verify is the receiver's check, as the README documents it: the
// signature must be the HMAC of "<t>.<body>" with the shared secret, and t
// no older than tolerance, so that a captured request cannot be replayed.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) bool {
	ts, v1, ok := strings.Cut(strings.TrimPrefix(header, "t="), ",v1=")
	if !ok || !strings.HasPrefix(header, "t=") {
		return false
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	if age := now.Sub(time.Unix(n, 0)); age > tolerance || age < -tolerance {
		return false
	}
	want := Sign(secret, time.Unix(n, 0), body)
	return hmac.Equal([]byte(want), []byte("t="+ts+",v1="+v1))
}
