// Package splunk sends events to a Splunk HTTP Event Collector (HEC): one
// POST to /services/collector/event per batch (split at MaxBytes), the
// batch as concatenated HEC event objects whose "event" is birdseye's
// event schema, with the index, source and sourcetype configured. With
// indexer acknowledgement on, the request carries a channel and a batch
// counts as delivered only once Splunk acknowledges that it was indexed;
// an acknowledgement that does not come sends the batch again (HEC is
// at-least-once: the event id is in every event for deduplication).
package splunk

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/httppost"
)

// Config is SPLUNK_HEC_*.
type Config struct {
	URL        string // https://splunk.example.com:8088 (the path is added), a secret
	Token      string // the HEC token, a secret
	Index      string // empty: the token's default index
	Source     string
	SourceType string
	Host       string // the events' host field (NetBird's URL host)
	// Ack waits for indexer acknowledgement (the token must have it on).
	Ack bool
	// AckWait bounds the wait for one batch's acknowledgement.
	AckWait time.Duration
	// MaxBytes splits a batch into requests of at most this many bytes
	// (HEC's max_content_length is 800 MB by default, smaller on many
	// installs: 800 KB keeps well under any).
	MaxBytes int
}

// Sink is the HEC sink.
type Sink struct {
	cfg     Config
	http    *http.Client
	channel string
}

// New returns a HEC sink.
func New(cfg Config) *Sink {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 800 << 10
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = time.Minute
	}
	return &Sink{cfg: cfg, http: &http.Client{Timeout: 15 * time.Second}, channel: newChannel()}
}

func (s *Sink) Name() string { return "splunk" }

// newChannel is a GUID, as HEC wants its channel ids.
func newChannel() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// endpoint is the collector's URL for path ("event" or "ack").
func (s *Sink) endpoint(path string) string {
	u, err := url.Parse(s.cfg.URL)
	if err != nil {
		return s.cfg.URL
	}
	base := strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/services/collector/event")
	base = strings.TrimSuffix(base, "/services/collector")
	u.Path = base + "/services/collector/" + path
	return u.String()
}

// hecEvent is one event as HEC takes it.
type hecEvent struct {
	Time       float64         `json:"time,omitempty"`
	Host       string          `json:"host,omitempty"`
	Source     string          `json:"source,omitempty"`
	SourceType string          `json:"sourcetype,omitempty"`
	Index      string          `json:"index,omitempty"`
	Event      json.RawMessage `json:"event"`
}

// Deliver posts the batch, split at MaxBytes, in order.
func (s *Sink) Deliver(ctx context.Context, b sink.Batch) error {
	evs := append(b.NoticeEvents("splunk", time.Now()), b.Events...)
	if len(evs) == 0 {
		return nil
	}
	var body bytes.Buffer
	for _, e := range evs {
		raw, err := json.Marshal(e)
		if err != nil {
			return sink.Permanent(fmt.Errorf("splunk: encode event %d: %w", e.ID, err))
		}
		h := hecEvent{Host: s.cfg.Host, Source: s.cfg.Source, SourceType: s.cfg.SourceType, Index: s.cfg.Index, Event: raw}
		if t, ok := e.Time(); ok {
			h.Time = float64(t.UnixMilli()) / 1000
		}
		line, _ := json.Marshal(h)
		if body.Len() > 0 && body.Len()+len(line) > s.cfg.MaxBytes {
			if err := s.post(ctx, body.Bytes()); err != nil {
				return err
			}
			body.Reset()
		}
		body.Write(line)
		body.WriteByte('\n')
	}
	return s.post(ctx, body.Bytes())
}

func (s *Sink) headers() map[string]string {
	h := map[string]string{"Authorization": "Splunk " + s.cfg.Token, "Content-Type": "application/json"}
	if s.cfg.Ack {
		h["X-Splunk-Request-Channel"] = s.channel
	}
	return h
}

// post sends one request and, with acknowledgement on, waits for it.
func (s *Sink) post(ctx context.Context, body []byte) error {
	answer, err := httppost.DoRead(ctx, s.http, httppost.Request{Sink: "splunk", URL: s.endpoint("event"), Body: body, Headers: s.headers()})
	if err != nil || !s.cfg.Ack {
		return err
	}
	var a struct {
		AckID *int64 `json:"ackId"`
	}
	if json.Unmarshal(answer, &a) != nil || a.AckID == nil {
		return sink.Permanent(fmt.Errorf("splunk: SPLUNK_HEC_ACK is on but the collector sent no ackId: turn indexer acknowledgement on for the token, or SPLUNK_HEC_ACK off"))
	}
	return s.waitAck(ctx, *a.AckID)
}

// waitAck asks the collector whether the request was indexed, every
// second, until it says so or AckWait passes (then the batch goes again).
func (s *Sink) waitAck(ctx context.Context, id int64) error {
	deadline := time.Now().Add(s.cfg.AckWait)
	req, _ := json.Marshal(map[string][]int64{"acks": {id}})
	for {
		answer, err := httppost.DoRead(ctx, s.http, httppost.Request{Sink: "splunk", URL: s.endpoint("ack"), Body: req, Headers: s.headers()})
		if err != nil {
			return err
		}
		var a struct {
			Acks map[string]bool `json:"acks"`
		}
		if json.Unmarshal(answer, &a) == nil && a.Acks[fmt.Sprint(id)] {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("splunk: request %d not acknowledged as indexed within %s: sent again", id, s.cfg.AckWait)
		}
		t := time.NewTimer(time.Second)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
