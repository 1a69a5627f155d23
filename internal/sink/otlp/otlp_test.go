package otlp

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/otlp/otelcoltest"
	"github.com/styliteag/birdseye/internal/sink/sinktest"
)

// collector is an OTLP/HTTP logs receiver as the specification has it:
// POST /v1/logs with an ExportLogsServiceRequest, application/x-protobuf
// or application/json (else 415); the answer in the request's encoding:
// an ExportLogsServiceResponse, whose partial_success names records
// rejected for good (here: each whose body holds "reject-me"), or on
// failure a google.rpc.Status; 400 for what it cannot decode (not to be
// retried), 429 and 503 to be retried (Retry-After may say when).
type collector struct {
	mu   sync.Mutex
	recs []otelcoltest.Record
	reqs int
	fail sinktest.Failure
}

func (c *collector) answer(w http.ResponseWriter, proto bool, code int, msg string) {
	if proto {
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(code)
		w.Write(pbString(pbVarint(nil, 1, uint64(code/100)), 2, msg)) // google.rpc.Status
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"code": code / 100, "message": msg})
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			http.Error(w, "bad gzip", 400)
			return
		}
		body, _ = io.ReadAll(zr)
	}
	proto := r.Header.Get("Content-Type") == "application/x-protobuf"
	c.mu.Lock()
	fail := c.fail
	c.mu.Unlock()
	switch {
	case fail == sinktest.Hang:
		<-r.Context().Done()
		return
	case fail == sinktest.ServerError:
		c.answer(w, proto, 503, "the pipeline's queue is full")
		return
	case r.URL.Path != "/v1/logs" || r.Method != http.MethodPost:
		c.answer(w, proto, 404, "not found")
		return
	case fail == sinktest.ClientError || r.Header.Get("Authorization") != "Bearer otlp-secret":
		c.answer(w, proto, 401, "missing or wrong bearer token")
		return
	case !proto && r.Header.Get("Content-Type") != "application/json":
		http.Error(w, "415 unsupported media type", http.StatusUnsupportedMediaType)
		return
	}
	var recs []otelcoltest.Record
	var err error
	if proto {
		recs, err = decodeProtobuf(body)
	} else {
		recs, err = otelcoltest.DecodeJSON(body)
	}
	if err != nil {
		c.answer(w, proto, 400, "cannot decode the request: "+err.Error())
		return
	}
	rejected := 0
	c.mu.Lock()
	c.reqs++
	for _, g := range recs {
		if strings.Contains(g.Body, "reject-me") {
			rejected++
			continue
		}
		c.recs = append(c.recs, g)
	}
	c.mu.Unlock()
	if proto {
		w.Header().Set("Content-Type", "application/x-protobuf")
		if rejected > 0 {
			w.Write(pbMessage(nil, 1, pbString(pbVarint(nil, 1, uint64(rejected)), 2, "log record too old")))
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if rejected > 0 {
		fmt.Fprintf(w, `{"partialSuccess":{"rejectedLogRecords":"%d","errorMessage":"log record too old"}}`, rejected)
		return
	}
	io.WriteString(w, `{}`)
}

func (c *collector) Events() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, g := range c.recs {
		if g.Attrs["netbird.activity.code"] == "policy.update" {
			n++
		}
	}
	return n
}
func (c *collector) Requests() int     { c.mu.Lock(); defer c.mu.Unlock(); return c.reqs }
func (c *collector) Secrets() []string { return []string{"otlp-secret"} }
func (c *collector) Fail(f sinktest.Failure) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fail = f
	return true
}

func (c *collector) records() []otelcoltest.Record {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]otelcoltest.Record(nil), c.recs...)
}

func start(t *testing.T, protocol string) (*Sink, *collector) {
	c := &collector{}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return New(Config{Endpoint: srv.URL, Protocol: protocol, Headers: map[string]string{"Authorization": "Bearer otlp-secret"},
		NetBirdURL: "https://netbird.example.com", Resource: map[string]string{"deployment.environment": "prod"}}), c
}

func TestOTLPConformance(t *testing.T) {
	for _, p := range []string{Protobuf, JSON} {
		t.Run(p, func(t *testing.T) {
			sinktest.Run(t, func(t *testing.T) (sink.Sink, sinktest.Receiver) { return start(t, p) })
		})
	}
}

// richBatch is an alert, an audit event with every kind of field and a
// proxy-log row.
func richBatch() sink.Batch {
	e := event.Event{ID: 42, ActivityCode: "user.role.update", Activity: "User role updated", Timestamp: "2026-11-23T08:00:00.5Z",
		InitiatorID: "u-1", InitiatorName: "alice", InitiatorEmail: "alice@example.com", TargetID: "u-2",
		Meta:    event.Meta{{Key: "role", Value: "admin"}, {Key: "count", Raw: json.RawMessage(`3`)}, {Key: "bad", Value: "a\xffb"}},
		Changes: []event.Change{{Path: "role", Before: "user", After: "admin"}}}
	row := event.Event{Stream: event.StreamProxy, Key: "al000001", ActivityCode: "proxy.failed", Activity: "Request refused",
		Timestamp: "2026-11-23T08:00:01Z", Labels: []string{"failed", "401"}, Object: "GET vault.example.com/ 401"}
	return sink.Batch{Alerts: []string{"NetBird API unreachable for 10 min"}, Events: []event.Event{e, row}}
}

// checkRich holds what a receiver read of richBatch to what was sent.
func checkRich(t *testing.T, recs []otelcoltest.Record) {
	t.Helper()
	require.Len(t, recs, 3)
	alert, got, proxy := recs[0], recs[1], recs[2]
	require.Equal(t, "birdseye.alert", alert.Attrs["netbird.activity.code"])
	require.Equal(t, 17, alert.Severity)
	require.Equal(t, "error", alert.SeverityText)

	require.Equal(t, time.Date(2026, 11, 23, 8, 0, 0, 5e8, time.UTC).UnixNano(), got.Time)
	require.NotZero(t, got.Observed)
	require.Equal(t, 13, got.Severity, "a role change is a warning")
	require.Equal(t, "warning", got.SeverityText)
	require.Equal(t, "user.role.update", got.EventName)
	require.Contains(t, got.Body, "User role updated")
	require.Equal(t, int64(42), got.Attrs["netbird.event.id"])
	require.Equal(t, "audit", got.Attrs["netbird.stream"])
	require.Equal(t, "alice@example.com", got.Attrs["netbird.initiator.email"])
	require.Equal(t, "u-2", got.Attrs["netbird.target.id"])
	require.Equal(t, "admin", got.Attrs["netbird.meta.role"])
	require.Equal(t, "3", got.Attrs["netbird.meta.count"])
	require.Equal(t, "a\uFFFDb", got.Attrs["netbird.meta.bad"], "invalid UTF-8 is replaced, not refused")
	require.Equal(t, []any{map[string]any{"path": "role", "before": "user", "after": "admin"}}, got.Attrs["netbird.changes"])
	require.Equal(t, map[string]any{"service.name": "birdseye", "service.version": got.Resource["service.version"],
		"netbird.management.url": "https://netbird.example.com", "deployment.environment": "prod"}, got.Resource)

	require.Equal(t, "proxy", proxy.Attrs["netbird.stream"])
	require.Equal(t, "al000001", proxy.Attrs["netbird.event.key"])
	require.Equal(t, []any{"failed", "401"}, proxy.Attrs["netbird.labels"])
	require.NotContains(t, proxy.Attrs, "netbird.event.id", "a row has a key, not an id")
}

// Each event is a record at its own time, with its severity, its line as
// the body and its fields as attributes, of one resource that names
// birdseye and the NetBird it watches; both encodings read the same.
func TestEachEventIsALogRecordOfBirdseyesResource(t *testing.T) {
	for _, p := range []string{Protobuf, JSON} {
		t.Run(p, func(t *testing.T) {
			s, c := start(t, p)
			require.NoError(t, s.Deliver(t.Context(), richBatch()))
			checkRich(t, c.records())
		})
	}
}

// OTLP_COMPRESSION=gzip: the request is gzipped and says so; it reads as
// the plain one.
func TestAGzippedRequestReadsTheSame(t *testing.T) {
	for _, p := range []string{Protobuf, JSON} {
		t.Run(p, func(t *testing.T) {
			s, c := start(t, p)
			s.cfg.Gzip = true
			var encodings []string
			wrapped := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				encodings = append(encodings, r.Header.Get("Content-Encoding"))
				c.ServeHTTP(w, r)
			}))
			defer wrapped.Close()
			s.cfg.Endpoint = wrapped.URL
			require.NoError(t, s.Deliver(t.Context(), richBatch()))
			require.Equal(t, []string{"gzip"}, encodings)
			checkRich(t, c.records())
		})
	}
}

// A partial success is taken: the rejected records are not sent again,
// and the count and the receiver's reason are reported.
func TestAPartialSuccessIsReportedAndNotResent(t *testing.T) {
	for _, p := range []string{Protobuf, JSON} {
		t.Run(p, func(t *testing.T) {
			s, c := start(t, p)
			evs := sinktest.Events(3, 0)
			evs[1].Activity = "reject-me"
			err := s.Deliver(t.Context(), sink.Batch{Events: evs})
			var rej *sink.RejectedError
			require.ErrorAs(t, err, &rej)
			require.Equal(t, 1, rej.Rejected)
			require.Equal(t, 3, rej.Of)
			require.EqualError(t, err, "otlp: the receiver rejected 1 of 3 log records: log record too old")
			require.Equal(t, 2, c.Events())
			require.Equal(t, 1, c.Requests())
		})
	}
}

// A refusal is read in the answer's own encoding.
func TestARefusalSaysTheReceiversReason(t *testing.T) {
	for _, p := range []string{Protobuf, JSON} {
		t.Run(p, func(t *testing.T) {
			s, c := start(t, p)
			c.Fail(sinktest.ClientError)
			err := s.Deliver(t.Context(), sink.Batch{Events: sinktest.Events(1, 0)})
			require.True(t, sink.IsPermanent(err))
			require.ErrorContains(t, err, "HTTP 401: missing or wrong bearer token")
		})
	}
}

// A big batch is split into requests under MaxBytes, in order; a failure
// after the first request reports the events already taken.
func TestABigBatchIsSplitAndAFailureReportsWhatWasTaken(t *testing.T) {
	s, c := start(t, Protobuf)
	s.cfg.MaxBytes = 4000
	evs := sinktest.Events(40, 300)
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: evs}))
	require.Greater(t, c.Requests(), 3)
	recs := c.records()
	require.Len(t, recs, 40)
	for i, g := range recs {
		require.Equal(t, int64(i+1), g.Attrs["netbird.event.id"], "in order")
	}

	var calls int
	fail := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls > 2 {
			http.Error(w, "busy", 503)
			return
		}
		c.ServeHTTP(w, r)
	}))
	defer fail.Close()
	s2 := New(Config{Endpoint: fail.URL + "/v1/logs", Headers: map[string]string{"Authorization": "Bearer otlp-secret"}, MaxBytes: 4000})
	err := s2.Deliver(t.Context(), sink.Batch{Alerts: []string{"an alert"}, Events: evs})
	var partial *sink.PartialError
	require.ErrorAs(t, err, &partial)
	require.Equal(t, len(c.records())-40-1, partial.Delivered, "the events of the two requests taken (the alert is not one)")
}

func TestTheEndpointGetsTheLogsPathOnlyWhenItHasNone(t *testing.T) {
	require.Equal(t, "http://collector:4318/v1/logs", Endpoint("http://collector:4318"))
	require.Equal(t, "http://collector:4318/v1/logs", Endpoint("http://collector:4318/"))
	require.Equal(t, "https://otlp.example.com/otlp/v1/logs", Endpoint("https://otlp.example.com/otlp/v1/logs"))
}

// --- the receiver's decoding, written from opentelemetry-proto.

// pbFields is a message's fields in order: wire type 0 as uint64, 1 as
// uint64 (fixed64), 2 as []byte.
type pbField struct {
	num int
	v   uint64
	b   []byte
}

func pbRead(b []byte) ([]pbField, error) {
	var out []pbField
	for len(b) > 0 {
		t, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, fmt.Errorf("bad tag")
		}
		b = b[n:]
		f := pbField{num: int(t >> 3)}
		switch t & 7 {
		case 0:
			f.v, n = binary.Uvarint(b)
			if n <= 0 {
				return nil, fmt.Errorf("bad varint")
			}
			b = b[n:]
		case 1:
			if len(b) < 8 {
				return nil, fmt.Errorf("short fixed64")
			}
			f.v, b = binary.LittleEndian.Uint64(b), b[8:]
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return nil, fmt.Errorf("bad length")
			}
			f.b, b = b[n:n+int(l)], b[n+int(l):]
		default:
			return nil, fmt.Errorf("wire type %d", t&7)
		}
		out = append(out, f)
	}
	return out, nil
}

func pbValue(b []byte) (any, error) {
	fs, err := pbRead(b)
	if err != nil || len(fs) != 1 {
		return nil, fmt.Errorf("an AnyValue with %d members", len(fs))
	}
	switch f := fs[0]; f.num {
	case 1:
		if !utf8Valid(f.b) {
			return nil, fmt.Errorf("string field contains invalid UTF-8")
		}
		return string(f.b), nil
	case 3:
		return int64(f.v), nil
	case 4:
		return math.Float64frombits(f.v), nil
	case 5:
		items, err := pbRead(f.b)
		if err != nil {
			return nil, err
		}
		out := []any{}
		for _, it := range items {
			v, err := pbValue(it.b)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case 6:
		items, err := pbRead(f.b)
		if err != nil {
			return nil, err
		}
		return pbKVs2(items)
	default:
		return nil, fmt.Errorf("AnyValue field %d", f.num)
	}
}

func pbKVs2(items []pbField) (map[string]any, error) {
	out := map[string]any{}
	for _, it := range items {
		kv, err := pbRead(it.b)
		if err != nil {
			return nil, err
		}
		var key string
		var val any
		for _, f := range kv {
			switch f.num {
			case 1:
				key = string(f.b)
			case 2:
				if val, err = pbValue(f.b); err != nil {
					return nil, err
				}
			}
		}
		out[key] = val
	}
	return out, nil
}

func decodeProtobuf(body []byte) ([]otelcoltest.Record, error) {
	top, err := pbRead(body)
	if err != nil {
		return nil, err
	}
	var out []otelcoltest.Record
	for _, rl := range top {
		parts, err := pbRead(rl.b)
		if err != nil {
			return nil, err
		}
		res := map[string]any{}
		for _, p := range parts {
			if p.num == 1 {
				attrs, err := pbRead(p.b)
				if err != nil {
					return nil, err
				}
				if res, err = pbKVs2(attrs); err != nil {
					return nil, err
				}
			}
		}
		for _, p := range parts {
			if p.num != 2 {
				continue
			}
			scope, err := pbRead(p.b)
			if err != nil {
				return nil, err
			}
			for _, sf := range scope {
				if sf.num != 2 {
					continue
				}
				fs, err := pbRead(sf.b)
				if err != nil {
					return nil, err
				}
				g := otelcoltest.Record{Resource: res, Scope: "birdseye"}
				var attrs []pbField
				for _, f := range fs {
					switch f.num {
					case 1:
						g.Time = int64(f.v)
					case 2:
						g.Severity = int(f.v)
					case 3:
						g.SeverityText = string(f.b)
					case 5:
						v, err := pbValue(f.b)
						if err != nil {
							return nil, err
						}
						g.Body, _ = v.(string)
					case 6:
						attrs = append(attrs, f)
					case 11:
						g.Observed = int64(f.v)
					case 12:
						g.EventName = string(f.b)
					}
				}
				if g.Attrs, err = pbKVs2(attrs); err != nil {
					return nil, err
				}
				out = append(out, g)
			}
		}
	}
	return out, nil
}

func utf8Valid(b []byte) bool { return strings.ToValidUTF8(string(b), "\uFFFD") == string(b) }

// Records refused in an early request of a batch whose later request
// fails are still reported and counted, with the head that was taken.
func TestRecordsRefusedBeforeAFailureAreStillReported(t *testing.T) {
	c := &collector{}
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls > 1 {
			http.Error(w, "busy", 503)
			return
		}
		c.ServeHTTP(w, r)
	}))
	defer srv.Close()
	s := New(Config{Endpoint: srv.URL, Headers: map[string]string{"Authorization": "Bearer otlp-secret"}, MaxBytes: 4000})
	evs := sinktest.Events(20, 300)
	evs[0].Activity = "reject-me"
	err := s.Deliver(t.Context(), sink.Batch{Events: evs})
	var partial *sink.PartialError
	require.ErrorAs(t, err, &partial)
	require.Positive(t, partial.Delivered)
	require.True(t, sink.IsRejected(err), "the refusal is kept")
	require.False(t, sink.Taken(err), "the rest must still be sent")
	require.ErrorContains(t, err, "rejected 1 of")
	require.ErrorContains(t, err, "HTTP 503")
}
