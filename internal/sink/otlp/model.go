package otlp

import (
	"encoding/binary"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/styliteag/birdseye/internal/version"
)

// The few OTLP messages birdseye sends, written out by hand in both of
// OTLP/HTTP's encodings: a protobuf library would cost more of the binary
// than the whole sink.

type valueKind byte

const (
	kindString valueKind = iota
	kindInt
	kindArray
	kindKVList
)

// anyValue is OTLP's AnyValue, as far as birdseye uses it.
type anyValue struct {
	kind valueKind
	s    string
	i    int64
	list []anyValue
	kvs  []keyValue
}

type keyValue struct {
	key   string
	value anyValue
}

func str(k, v string) keyValue { return keyValue{k, anyValue{kind: kindString, s: v}} }

type logRecord struct {
	time, observed time.Time
	severity       int
	severityText   string
	eventName      string
	body           string
	attrs          []keyValue
}

// size is about what the record takes in either encoding, to split
// requests before a receiver's limit.
func (r logRecord) size() int {
	n := 96 + len(r.body) + len(r.eventName)
	var walk func(kvs []keyValue)
	value := func(v anyValue) {
		n += 24 + len(v.s)
		walk(v.kvs)
		for _, l := range v.list {
			n += 24 + len(l.s)
			walk(l.kvs)
		}
	}
	walk = func(kvs []keyValue) {
		for _, kv := range kvs {
			n += 8 + len(kv.key)
			value(kv.value)
		}
	}
	walk(r.attrs)
	return n
}

type request struct {
	resource []keyValue
	records  []logRecord
}

// --- OTLP/JSON (the protobuf JSON mapping with OTLP's exceptions: camelCase
// names, 64-bit integers as decimal strings, enums as numbers).

func (v anyValue) jsonValue() map[string]any {
	switch v.kind {
	case kindInt:
		return map[string]any{"intValue": strconv.FormatInt(v.i, 10)}
	case kindArray:
		values := make([]any, len(v.list))
		for i, l := range v.list {
			values[i] = l.jsonValue()
		}
		return map[string]any{"arrayValue": map[string]any{"values": values}}
	case kindKVList:
		return map[string]any{"kvlistValue": map[string]any{"values": jsonKVs(v.kvs)}}
	}
	return map[string]any{"stringValue": v.s}
}

func jsonKVs(kvs []keyValue) []any {
	out := make([]any, len(kvs))
	for i, kv := range kvs {
		out[i] = map[string]any{"key": kv.key, "value": kv.value.jsonValue()}
	}
	return out
}

func nanos(t time.Time) string { return strconv.FormatInt(t.UnixNano(), 10) }

func (r request) json() []byte {
	recs := make([]any, len(r.records))
	for i, l := range r.records {
		recs[i] = map[string]any{"timeUnixNano": nanos(l.time), "observedTimeUnixNano": nanos(l.observed),
			"severityNumber": l.severity, "severityText": l.severityText, "eventName": l.eventName,
			"body": map[string]any{"stringValue": l.body}, "attributes": jsonKVs(l.attrs)}
	}
	b, _ := json.Marshal(map[string]any{"resourceLogs": []any{map[string]any{
		"resource": map[string]any{"attributes": jsonKVs(r.resource)},
		"scopeLogs": []any{map[string]any{
			"scope":      map[string]any{"name": "birdseye", "version": version.Version},
			"logRecords": recs,
		}},
	}}})
	return b
}

type partialSuccess struct {
	rejected int64
	message  string
}

// partialFromJSON reads an ExportLogsServiceResponse; the count may come
// as a string (the mapping) or a number (what some receivers write).
func partialFromJSON(raw []byte) partialSuccess {
	var answer struct {
		Partial struct {
			Rejected json.RawMessage `json:"rejectedLogRecords"`
			Message  string          `json:"errorMessage"`
		} `json:"partialSuccess"`
	}
	if json.Unmarshal(raw, &answer) != nil {
		return partialSuccess{}
	}
	n, _ := strconv.ParseInt(strings.Trim(string(answer.Partial.Rejected), `"`), 10, 64)
	return partialSuccess{rejected: n, message: answer.Partial.Message}
}

// --- OTLP/protobuf: the wire format of opentelemetry-proto's logs.proto.

const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
)

func tag(b []byte, field, wire int) []byte { return binary.AppendUvarint(b, uint64(field<<3|wire)) }

func pbString(b []byte, field int, s string) []byte {
	s = strings.ToValidUTF8(s, "\uFFFD") // protobuf strings must be UTF-8, or the whole request is refused
	b = tag(b, field, wireBytes)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func pbMessage(b []byte, field int, msg []byte) []byte {
	b = tag(b, field, wireBytes)
	b = binary.AppendUvarint(b, uint64(len(msg)))
	return append(b, msg...)
}

func pbVarint(b []byte, field int, v uint64) []byte {
	return binary.AppendUvarint(tag(b, field, wireVarint), v)
}

func pbFixed64(b []byte, field int, v uint64) []byte {
	return binary.LittleEndian.AppendUint64(tag(b, field, wireFixed64), v)
}

// AnyValue: string_value 1, int_value 3, array_value 5, kvlist_value 6.
// A oneof member is written even when empty: "" is a value.
func (v anyValue) protobuf() []byte {
	var b []byte
	switch v.kind {
	case kindInt:
		return pbVarint(b, 3, uint64(v.i))
	case kindArray:
		var arr []byte
		for _, l := range v.list {
			arr = pbMessage(arr, 1, l.protobuf())
		}
		return pbMessage(b, 5, arr)
	case kindKVList:
		return pbMessage(b, 6, pbKVs(nil, 1, v.kvs))
	}
	return pbString(b, 1, v.s)
}

// pbKVs writes each KeyValue (key 1, value 2) as field.
func pbKVs(b []byte, field int, kvs []keyValue) []byte {
	for _, kv := range kvs {
		b = pbMessage(b, field, pbMessage(pbString(nil, 1, kv.key), 2, kv.value.protobuf()))
	}
	return b
}

// protobuf is ExportLogsServiceRequest: resource_logs 1 → ResourceLogs
// (resource 1 → attributes 1; scope_logs 2 → ScopeLogs (scope 1 → name 1,
// version 2; log_records 2 → LogRecord: time_unix_nano 1, severity_number
// 2, severity_text 3, body 5, attributes 6, observed_time_unix_nano 11,
// event_name 12)).
func (r request) protobuf() []byte {
	scope := pbMessage(nil, 1, pbString(pbString(nil, 1, "birdseye"), 2, version.Version))
	for _, l := range r.records {
		var rec []byte
		rec = pbFixed64(rec, 1, uint64(l.time.UnixNano()))
		rec = pbVarint(rec, 2, uint64(l.severity))
		rec = pbString(rec, 3, l.severityText)
		rec = pbMessage(rec, 5, anyValue{kind: kindString, s: l.body}.protobuf())
		rec = pbKVs(rec, 6, l.attrs)
		rec = pbFixed64(rec, 11, uint64(l.observed.UnixNano()))
		rec = pbString(rec, 12, l.eventName)
		scope = pbMessage(scope, 2, rec)
	}
	resource := pbMessage(nil, 1, pbKVs(nil, 1, r.resource))
	return pbMessage(nil, 1, pbMessage(resource, 2, scope))
}

// fields reads one message's fields: varints and length-delimited ones,
// by number (the last of a repeated one); anything unreadable ends it.
func fields(b []byte) (varints map[int]uint64, bytes map[int][]byte) {
	varints, bytes = map[int]uint64{}, map[int][]byte{}
	for len(b) > 0 {
		t, n := binary.Uvarint(b)
		if n <= 0 {
			return
		}
		b = b[n:]
		field, wire := int(t>>3), int(t&7)
		switch wire {
		case wireVarint:
			v, n := binary.Uvarint(b)
			if n <= 0 {
				return
			}
			varints[field], b = v, b[n:]
		case wireFixed64:
			if len(b) < 8 {
				return
			}
			b = b[8:]
		case wireBytes:
			l, n := binary.Uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return
			}
			bytes[field], b = b[n:n+int(l)], b[n+int(l):]
		case 5:
			if len(b) < 4 {
				return
			}
			b = b[4:]
		default:
			return
		}
	}
	return
}

// partialFromProtobuf reads ExportLogsServiceResponse: partial_success 1
// → rejected_log_records 1, error_message 2.
func partialFromProtobuf(raw []byte) partialSuccess {
	_, msgs := fields(raw)
	v, s := fields(msgs[1])
	msg := string(s[2])
	if !utf8.ValidString(msg) {
		msg = strings.ToValidUTF8(msg, "\uFFFD")
	}
	return partialSuccess{rejected: int64(v[1]), message: msg}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// statusMessage is the message of a refusal in protobuf (google.rpc.Status:
// code 1, message 2); empty for anything else, which httppost reads as JSON.
func statusMessage(raw []byte) string {
	if len(raw) == 0 || raw[0] == '{' {
		return ""
	}
	v, s := fields(raw)
	msg := s[2]
	if _, ok := v[1]; !ok || len(msg) == 0 || !utf8.Valid(msg) {
		return ""
	}
	return string(msg)
}
