package otelcoltest

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"sync"
)

// Record is one log record as the collector handed it on.
type Record struct {
	Time, Observed int64
	Severity       int
	SeverityText   string
	EventName      string
	Body           string
	Attrs          map[string]any // string, int64, []any, map[string]any
	Resource       map[string]any
	Scope          string
}

// Backend is where the collector's exporter sends: an OTLP/HTTP JSON
// receiver that keeps the records, and can be told to fail with 503.
type Backend struct {
	mu      sync.Mutex
	records []Record
	failing bool
}

// Fail makes the backend answer 503 (true) or take records again (false).
func (b *Backend) Fail(on bool) { b.mu.Lock(); b.failing = on; b.mu.Unlock() }

// Records are the records taken so far, in arrival order.
func (b *Backend) Records() []Record {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]Record(nil), b.records...)
}

func (b *Backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	b.mu.Lock()
	failing := b.failing
	b.mu.Unlock()
	if failing {
		http.Error(w, `{"code":14,"message":"backend down"}`, http.StatusServiceUnavailable)
		return
	}
	if r.URL.Path != "/v1/logs" || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, `{"code":3,"message":"expected JSON on /v1/logs"}`, http.StatusBadRequest)
		return
	}
	recs, err := DecodeJSON(body)
	if err != nil {
		http.Error(w, `{"code":3,"message":"cannot decode"}`, http.StatusBadRequest)
		return
	}
	b.mu.Lock()
	b.records = append(b.records, recs...)
	b.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{}`)
}

// DecodeJSON reads an ExportLogsServiceRequest in OTLP/JSON.
func DecodeJSON(body []byte) ([]Record, error) {
	var req struct {
		ResourceLogs []struct {
			Resource  struct{ Attributes []jsonKV }
			ScopeLogs []struct {
				Scope      struct{ Name string }
				LogRecords []struct {
					TimeUnixNano, ObservedTimeUnixNano string
					SeverityNumber                     int
					SeverityText, EventName            string
					Body                               jsonValue
					Attributes                         []jsonKV
				}
			}
		}
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, err
	}
	var out []Record
	for _, rl := range req.ResourceLogs {
		res := attrs(rl.Resource.Attributes)
		for _, sl := range rl.ScopeLogs {
			for _, l := range sl.LogRecords {
				t, _ := strconv.ParseInt(l.TimeUnixNano, 10, 64)
				o, _ := strconv.ParseInt(l.ObservedTimeUnixNano, 10, 64)
				body, _ := l.Body.value().(string)
				out = append(out, Record{Time: t, Observed: o, Severity: l.SeverityNumber, SeverityText: l.SeverityText,
					EventName: l.EventName, Body: body, Attrs: attrs(l.Attributes), Resource: res, Scope: sl.Scope.Name})
			}
		}
	}
	return out, nil
}

type jsonKV struct {
	Key   string
	Value jsonValue
}

type jsonValue struct {
	StringValue *string
	IntValue    json.RawMessage // a decimal string, or a number
	ArrayValue  *struct{ Values []jsonValue }
	KvlistValue *struct{ Values []jsonKV }
}

func (v jsonValue) value() any {
	switch {
	case v.StringValue != nil:
		return *v.StringValue
	case v.IntValue != nil:
		var s string
		if json.Unmarshal(v.IntValue, &s) != nil {
			s = string(v.IntValue)
		}
		n, _ := strconv.ParseInt(s, 10, 64)
		return n
	case v.ArrayValue != nil:
		out := []any{}
		for _, x := range v.ArrayValue.Values {
			out = append(out, x.value())
		}
		return out
	case v.KvlistValue != nil:
		return attrs(v.KvlistValue.Values)
	}
	return nil
}

func attrs(kvs []jsonKV) map[string]any {
	out := map[string]any{}
	for _, kv := range kvs {
		out[kv.Key] = kv.Value.value()
	}
	return out
}
