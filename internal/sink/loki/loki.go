// Package loki pushes events to Grafana Loki's push API
// (POST /loki/api/v1/push, JSON): each event a log line (birdseye's event
// schema as JSON) with its own time, in streams whose labels stay few:
// the stream (audit, traffic, proxy, watch, birdseye), the activity
// code's first word (peer, policy, user …) and the severity, never an id
// or a name. A tenant (X-Scope-OrgID) is sent when set.
package loki

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/httppost"
)

// Config is LOKI_*.
type Config struct {
	URL      string // http://loki:3100 (the push path is added), a secret
	Tenant   string // X-Scope-OrgID, empty = none
	User     string // basic authentication (Grafana Cloud: the instance id)
	Password string // its password or token
	Job      string // the job label (birdseye)
	MaxBytes int
}

// Sink is the Loki sink.
type Sink struct {
	cfg  Config
	http *http.Client
}

// New returns a Loki sink.
func New(cfg Config) *Sink {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 1 << 20
	}
	if cfg.Job == "" {
		cfg.Job = "birdseye"
	}
	return &Sink{cfg: cfg, http: &http.Client{Timeout: 15 * time.Second}}
}

func (s *Sink) Name() string { return "loki" }

func (s *Sink) endpoint() string {
	u, err := url.Parse(s.cfg.URL)
	if err != nil {
		return s.cfg.URL
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/loki/api/v1/push") + "/loki/api/v1/push"
	return u.String()
}

// Labels are an event's stream labels.
func (s *Sink) Labels(e event.Event) map[string]string {
	stream := e.Stream
	if stream == "" {
		stream = "audit"
	}
	group, _, _ := strings.Cut(e.ActivityCode, ".")
	if group == "" {
		group = "unknown"
	}
	return map[string]string{"job": s.cfg.Job, "stream": stream, "code_group": group, "severity": event.SeverityName(e)}
}

type pushStream struct {
	Stream map[string]string `json:"stream"`
	Values [][2]string       `json:"values"`
}

// Deliver pushes the batch, split at MaxBytes, in order.
func (s *Sink) Deliver(ctx context.Context, b sink.Batch) error {
	evs := append(b.NoticeEvents("loki", time.Now()), b.Events...)
	if len(evs) == 0 {
		return nil
	}
	var streams []*pushStream
	byKey := map[string]*pushStream{}
	size := 0
	flush := func() error {
		if len(streams) == 0 {
			return nil
		}
		var body []pushStream
		for _, st := range streams {
			body = append(body, *st)
		}
		raw, _ := json.Marshal(map[string]any{"streams": body})
		streams, byKey, size = nil, map[string]*pushStream{}, 0
		return s.push(ctx, raw)
	}
	for _, e := range evs {
		line, err := json.Marshal(e)
		if err != nil {
			return sink.Permanent(fmt.Errorf("loki: encode event %d: %w", e.ID, err))
		}
		t, ok := e.Time()
		if !ok {
			t = time.Now()
		}
		if size > 0 && size+len(line)+64 > s.cfg.MaxBytes {
			if err := flush(); err != nil {
				return err
			}
		}
		labels := s.Labels(e)
		key := labelKey(labels)
		st := byKey[key]
		if st == nil {
			st = &pushStream{Stream: labels}
			byKey[key] = st
			streams = append(streams, st)
		}
		st.Values = append(st.Values, [2]string{strconv.FormatInt(t.UnixNano(), 10), string(line)})
		size += len(line) + 64
	}
	return flush()
}

func labelKey(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + m[k] + ",")
	}
	return b.String()
}

func (s *Sink) push(ctx context.Context, body []byte) error {
	h := map[string]string{"Content-Type": "application/json"}
	if s.cfg.Tenant != "" {
		h["X-Scope-OrgID"] = s.cfg.Tenant
	}
	if s.cfg.User != "" {
		req, _ := http.NewRequest(http.MethodPost, "http://x", bytes.NewReader(nil))
		req.SetBasicAuth(s.cfg.User, s.cfg.Password)
		h["Authorization"] = req.Header.Get("Authorization")
	}
	_, err := httppost.DoRead(ctx, s.http, httppost.Request{Sink: "loki", URL: s.endpoint(), Body: body, Headers: h})
	return err
}
