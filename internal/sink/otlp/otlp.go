// Package otlp sends events to an OpenTelemetry collector (or any OTLP
// backend) as logs over OTLP/HTTP: POST to the logs endpoint
// (…/v1/logs), an ExportLogsServiceRequest in JSON or protobuf. One resource
// (service.name=birdseye, the NetBird URL, any extra attributes), one scope,
// a log record per event: its own time, a severity from event.Severity, the
// event's line as the body, the event's fields as netbird.* attributes.
//
// The answer follows the OTLP/HTTP specification: 2xx is taken; a 2xx
// with a partial success names records the receiver rejected for good,
// which must not be sent again (sink.RejectedError, counted and logged);
// 429, 502, 503 and 504 are retried (after Retry-After); any other 4xx is
// a configuration problem.
package otlp

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/render"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/httppost"
	"github.com/styliteag/birdseye/internal/version"
)

// The protocols, as OTEL_EXPORTER_OTLP_PROTOCOL names them.
const (
	Protobuf = "http/protobuf"
	JSON     = "http/json"
)

// Config is OTLP_*.
type Config struct {
	Endpoint   string            // the logs endpoint; a bare host:port URL gets /v1/logs
	Protocol   string            // Protobuf or JSON
	Gzip       bool              // compress each request (Content-Encoding: gzip)
	Headers    map[string]string // e.g. an Authorization or an API-key header (secrets)
	Resource   map[string]string // extra resource attributes (deployment.environment …)
	NetBirdURL string            // the management URL, as a resource attribute
	MaxBytes   int               // a request's size before it is split
}

// Sink is the OTLP logs sink.
type Sink struct {
	cfg  Config
	http *http.Client
	now  func() time.Time
}

// New returns an OTLP sink.
func New(cfg Config) *Sink {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 1 << 20
	}
	if cfg.Protocol == "" {
		cfg.Protocol = Protobuf
	}
	return &Sink{cfg: cfg, http: &http.Client{Timeout: 15 * time.Second}, now: time.Now}
}

func (s *Sink) Name() string { return "otlp" }

// Endpoint is where the logs go: the URL as given, or with /v1/logs when
// it names only a host (as OTEL_EXPORTER_OTLP_ENDPOINT does).
func Endpoint(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Path != "" && u.Path != "/") {
		return raw
	}
	u.Path = "/v1/logs"
	return u.String()
}

// resource is the one resource every record is of.
func (s *Sink) resource() []keyValue {
	attrs := []keyValue{str("service.name", "birdseye"), str("service.version", version.Version)}
	if s.cfg.NetBirdURL != "" {
		attrs = append(attrs, str("netbird.management.url", s.cfg.NetBirdURL))
	}
	for _, k := range sortedKeys(s.cfg.Resource) {
		if k != "service.name" {
			attrs = append(attrs, str(k, s.cfg.Resource[k]))
		}
	}
	return attrs
}

// Deliver sends the batch's notices and events, split at MaxBytes, in
// order. A failed later request reports the events the earlier carried.
func (s *Sink) Deliver(ctx context.Context, b sink.Batch) error {
	now := s.now()
	notices := b.NoticeEvents("otlp", now)
	evs := append(notices, b.Events...)
	if len(evs) == 0 {
		return nil
	}
	var (
		recs     []logRecord
		size     int
		sent     int // events of b.Events in requests already taken
		rejected []*sink.RejectedError
	)
	send := func(upTo int) error {
		if len(recs) == 0 {
			return nil
		}
		rej, err := s.export(ctx, recs)
		if err != nil {
			if n := max(sent-len(notices), 0); n > 0 {
				// What earlier requests had refused is said along.
				return &sink.PartialError{Delivered: n, Err: errors.Join(err, sink.JoinRejected(rejected...))}
			}
			return err
		}
		if rej != nil {
			rejected = append(rejected, rej)
		}
		recs, size, sent = nil, 0, upTo
		return nil
	}
	for i, e := range evs {
		r := record(e, now)
		n := r.size()
		if size > 0 && size+n > s.cfg.MaxBytes {
			if err := send(i); err != nil {
				return err
			}
		}
		recs = append(recs, r)
		size += n
	}
	if err := send(len(evs)); err != nil {
		return err
	}
	return sink.JoinRejected(rejected...)
}

// export sends one request and reads the answer.
func (s *Sink) export(ctx context.Context, recs []logRecord) (*sink.RejectedError, error) {
	req := request{resource: s.resource(), records: recs}
	h := map[string]string{}
	for k, v := range s.cfg.Headers {
		h[k] = v
	}
	var body []byte
	if s.cfg.Protocol == JSON {
		h["Content-Type"] = "application/json"
		body = req.json()
	} else {
		h["Content-Type"] = "application/x-protobuf"
		body = req.protobuf()
	}
	if s.cfg.Gzip {
		var zb bytes.Buffer
		zw := gzip.NewWriter(&zb)
		zw.Write(body)
		zw.Close()
		body = zb.Bytes()
		h["Content-Encoding"] = "gzip"
	}
	answer, err := httppost.DoRead(ctx, s.http, httppost.Request{Sink: "otlp", URL: Endpoint(s.cfg.Endpoint), Body: body, Headers: h,
		Explain: statusMessage})
	if err != nil {
		return nil, err
	}
	var ps partialSuccess
	if s.cfg.Protocol == JSON {
		ps = partialFromJSON(answer)
	} else {
		ps = partialFromProtobuf(answer)
	}
	if ps.rejected == 0 && ps.message == "" {
		return nil, nil
	}
	// A partial success names how many, not which: none is sent again,
	// as the specification asks, and the count is said.
	return &sink.RejectedError{Rejected: int(ps.rejected), Of: len(recs),
		Err: fmt.Errorf("otlp: the receiver rejected %d of %d log records: %s", ps.rejected, len(recs), strings.TrimSpace(ps.message))}, nil
}

// Severity maps event.Severity (syslog's numbers) to OTLP's: error 17,
// warning 13, notice 10 (INFO2, as OpenTelemetry maps syslog's notice);
// the text is the syslog name.
func Severity(e event.Event) (int, string) {
	n := 10
	switch event.Severity(e) {
	case 3:
		n = 17
	case 4:
		n = 13
	}
	return n, event.SeverityName(e)
}

// record is one event as a log record.
func record(e event.Event, observed time.Time) logRecord {
	t, ok := e.Time()
	if !ok {
		t = observed
	}
	num, text := Severity(e)
	stream := e.Stream
	if stream == "" {
		stream = "audit"
	}
	attrs := []keyValue{str("netbird.stream", stream), str("netbird.activity.code", e.ActivityCode), str("netbird.activity", e.Activity)}
	if e.ID != 0 {
		attrs = append(attrs, keyValue{"netbird.event.id", anyValue{kind: kindInt, i: int64(e.ID)}})
	}
	for _, f := range [][2]string{{"netbird.event.key", e.Key}, {"netbird.initiator.id", e.InitiatorID}, {"netbird.initiator.name", e.InitiatorName},
		{"netbird.initiator.email", e.InitiatorEmail}, {"netbird.initiator.label", e.InitiatorLabel}, {"netbird.target.id", e.TargetID},
		{"netbird.object", e.Object}, {"netbird.changes_note", e.ChangesNote}} {
		if f[1] != "" {
			attrs = append(attrs, str(f[0], f[1]))
		}
	}
	for _, m := range e.Meta {
		v := m.Value
		if m.Raw != nil {
			v = string(m.Raw)
		}
		attrs = append(attrs, str("netbird.meta."+m.Key, v))
	}
	if len(e.Labels) > 0 {
		list := make([]anyValue, len(e.Labels))
		for i, l := range e.Labels {
			list[i] = anyValue{kind: kindString, s: l}
		}
		attrs = append(attrs, keyValue{"netbird.labels", anyValue{kind: kindArray, list: list}})
	}
	if len(e.Changes) > 0 {
		list := make([]anyValue, len(e.Changes))
		for i, c := range e.Changes {
			list[i] = anyValue{kind: kindKVList, kvs: []keyValue{str("path", c.Path), str("before", c.Before), str("after", c.After)}}
		}
		attrs = append(attrs, keyValue{"netbird.changes", anyValue{kind: kindArray, list: list}})
	}
	return logRecord{time: t, observed: observed, severity: num, severityText: text, eventName: e.ActivityCode,
		body: render.Line(e, time.UTC), attrs: attrs}
}
