// Package event is birdseye's domain: what the sinks are handed. That is a
// NetBird audit event, a row of the other streams (traffic events, the
// reverse proxy's access log) or one of birdseye's own (the watch's
// birdseye.* events), with the activity codes the server emits, the
// include/exclude globs that pick events for each sink, how serious an event
// is, and the lenient decoding of an entry the server sent oddly. It
// imports no other birdseye package.
package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Event is one entry of GET /api/events/audit. Field names follow the API.
type Event struct {
	ID             ID     `json:"id"`
	Timestamp      string `json:"timestamp"`
	Activity       string `json:"activity"`
	ActivityCode   string `json:"activity_code"`
	InitiatorID    string `json:"initiator_id"`
	InitiatorName  string `json:"initiator_name"`
	InitiatorEmail string `json:"initiator_email"`
	TargetID       string `json:"target_id"`
	Meta           Meta   `json:"meta"`

	// InitiatorLabel is birdseye's resolved name of the initiator (user name,
	// `setup-key:<name>`, `system`, …), filled in before the event goes out.
	InitiatorLabel string `json:"initiator_label,omitempty"`

	// Stream is empty for an audit event and names the other streams
	// birdseye forwards: StreamTraffic, StreamProxy. Their rows have no
	// numeric id (ID stays 0): Key identifies them, and Labels are what the
	// *_TRAFFIC_* and *_PROXY_* globs match.
	Stream string   `json:"stream,omitempty"`
	Key    string   `json:"key,omitempty"`
	Labels []string `json:"labels,omitempty"`
	// Object is what a stream row is about, short, for summaries of many
	// rows: "db-server tcp/5432", "GET grafana.example.com/admin 401".
	Object string `json:"object,omitempty"`

	// Changes are the fields an add, update or delete changed, from
	// birdseye's snapshots of the configuration; ChangesNote says why there
	// are none (before-state unknown on a first run, nothing visible).
	Changes     []Change `json:"changes,omitempty"`
	ChangesNote string   `json:"changes_note,omitempty"`
}

// Change is one changed field: its path in the object (rules["SSH"].ports)
// and the values before and after, as text; empty when absent.
type Change struct {
	Path   string `json:"path"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// Row reports whether e is a row of the traffic or proxy stream, which
// come by the thousand and are summarised, rather than a single event.
func (e Event) Row() bool { return e.Stream == StreamTraffic || e.Stream == StreamProxy }

// The streams besides audit events. The watch's synthetic events
// (birdseye.*) are selected by the audit globs, like NetBird's codes.
const (
	StreamTraffic = "traffic"
	StreamProxy   = "proxy"
	StreamWatch   = "watch"
)

// BasicInitiator labels the initiator from the event alone: name, else
// e-mail, else `system` for the server itself, else `id:<first 12 chars>`.
// The initiator package improves on it with user and setup-key lookups.
func (e Event) BasicInitiator() (label string, resolved bool) {
	if e.InitiatorName != "" {
		return e.InitiatorName, true
	}
	if e.InitiatorEmail != "" {
		return e.InitiatorEmail, true
	}
	iid := strings.TrimSpace(e.InitiatorID)
	if iid == "" || iid == "sys" {
		return "system", true
	}
	if len(iid) > 12 {
		iid = iid[:12]
	}
	return "id:" + iid, false
}

// Initiator is the label to show: the resolved one when there is one.
func (e Event) Initiator() string {
	if e.InitiatorLabel != "" {
		return e.InitiatorLabel
	}
	l, _ := e.BasicInitiator()
	return l
}

// Time parses Timestamp. ok is false when the server sent something unparsable;
// renderers then print the raw string, as the old tool did.
func (e Event) Time() (t time.Time, ok bool) {
	return ParseTime(e.Timestamp)
}

// ParseTime accepts RFC 3339 with any number of fraction digits, a space in
// place of the T, and offset-less forms (taken as local time).
func ParseTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	for _, layout := range []string{
		"2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04:05.999999999",
	} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// ID is an audit event id. The API renders it as a decimal string ("10");
// ids are compared by numeric value, never as strings.
type ID int64

// ParseID reads a decimal id as the API sends it, with or without quotes.
func ParseID(b []byte) (ID, error) {
	b = bytes.Trim(b, `"`)
	n, err := strconv.ParseInt(string(b), 10, 64)
	if errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("event id %q is beyond the largest id birdseye keeps (2^63-1)", b)
	}
	if err != nil || n < 0 {
		return 0, fmt.Errorf("event id %q is not a non-negative integer", b)
	}
	return ID(n), nil
}

// UnmarshalJSON accepts "10" and 10.
func (id *ID) UnmarshalJSON(b []byte) error {
	v, err := ParseID(b)
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// MarshalJSON writes the API's form, a decimal string.
func (id ID) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strconv.FormatInt(int64(id), 10) + `"`), nil
}

func (id ID) String() string { return strconv.FormatInt(int64(id), 10) }

// Meta is the event's meta object with the server's key order kept: the
// output formats list meta in the order received.
type Meta []MetaField

// MetaField is one key of Meta. NetBird stringifies every value, so Raw is
// normally empty; a non-string JSON value is kept verbatim in Raw.
type MetaField struct {
	Key   string
	Value string          // the value when it is a JSON string
	Raw   json.RawMessage // the value when it is anything else (number, bool, null, object, array)
}

// Get returns the string value of key and whether it is present as a string.
// With is m with key set to the string value (replaced where m has it,
// else added at the end).
func (m Meta) With(key, value string) Meta {
	for i := range m {
		if m[i].Key == key {
			out := slices.Clone(m)
			out[i] = MetaField{Key: key, Value: value}
			return out
		}
	}
	return append(slices.Clone(m), MetaField{Key: key, Value: value})
}

// Sorted is m with its keys in order, as the API writes them (a JSON
// object made from a Go map).
func (m Meta) Sorted() Meta {
	out := slices.Clone(m)
	slices.SortStableFunc(out, func(a, b MetaField) int { return strings.Compare(a.Key, b.Key) })
	return out
}

func (m Meta) Get(key string) string {
	for _, f := range m {
		if f.Key == key && f.Raw == nil {
			return f.Value
		}
	}
	return ""
}

// UnmarshalJSON keeps key order; null becomes an empty Meta.
func (m *Meta) UnmarshalJSON(b []byte) error {
	*m = nil
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("meta: expected an object, got %v", tok)
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := kt.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		f := MetaField{Key: key}
		if len(raw) > 0 && raw[0] == '"' {
			if err := json.Unmarshal(raw, &f.Value); err != nil {
				return err
			}
		} else {
			f.Raw = append(json.RawMessage(nil), raw...)
		}
		*m = append(*m, f)
	}
	_, err = dec.Token()
	return err
}

// MarshalJSON writes the object back in the same key order.
func (m Meta) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range m {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(f.Key)
		buf.Write(k)
		buf.WriteByte(':')
		if f.Raw != nil {
			buf.Write(f.Raw)
		} else {
			v, _ := json.Marshal(f.Value)
			buf.Write(v)
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
