package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// CodeUnreadable is the code of the notice that stands in for an audit entry
// that is not even valid JSON: it keeps the entry's id (so the cursor moves
// past it, in order) and carries the raw text in meta.raw.
const CodeUnreadable = "birdseye.audit.unreadable"

// unreadableMax caps the raw text a notice carries.
const unreadableMax = 4096

// Decode reads one audit entry. It never rejects an entry whose id is known:
//   - a well-formed entry decodes as usual (problem is empty);
//   - an entry with a field of the wrong JSON type (a numeric activity_code,
//     a meta that is a string, an object as initiator_name, …) keeps what can
//     be read: a non-string value becomes its JSON text, a meta that is not an
//     object is kept verbatim under meta.raw; problem names the fields;
//   - an entry that is not valid JSON becomes a CodeUnreadable notice with the
//     id and the raw text; problem says so.
//
// One odd entry must never block the entries after it: the server's list is
// the only copy, and the cursor cannot pass an entry it could not hand on.
func Decode(raw []byte, id ID) (e Event, problem string) {
	if err := json.Unmarshal(raw, &e); err == nil {
		return e, ""
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return unreadable(raw, id, err), "not valid JSON (" + err.Error() + "); forwarded as " + CodeUnreadable
	}
	e = Event{ID: id}
	var bad []string
	for key, v := range fields {
		var dst *string
		switch key {
		case "id":
			continue // the caller read it
		case "meta":
			if err := e.Meta.UnmarshalJSON(v); err != nil {
				e.Meta = Meta{{Key: "raw", Raw: compact(v)}}
				bad = append(bad, key)
			}
			continue
		case "timestamp":
			dst = &e.Timestamp
		case "activity":
			dst = &e.Activity
		case "activity_code":
			dst = &e.ActivityCode
		case "initiator_id":
			dst = &e.InitiatorID
		case "initiator_name":
			dst = &e.InitiatorName
		case "initiator_email":
			dst = &e.InitiatorEmail
		case "target_id":
			dst = &e.TargetID
		default:
			continue // a field this version does not know: ignored, as json.Unmarshal does
		}
		if json.Unmarshal(v, dst) != nil {
			*dst = string(compact(v))
			bad = append(bad, key)
		}
	}
	slices.Sort(bad)
	return e, "fields of an unexpected type, kept as JSON text: " + strings.Join(bad, ", ")
}

// Oversize is the notice for an entry too large to read whole: head is its
// beginning, size its length in bytes.
func Oversize(head []byte, id ID, size int, why string) Event {
	e := unreadable(head, id, errors.New(fmt.Sprintf("%d bytes, %s", size, why)))
	e.Meta[2].Value = fmt.Sprint(size)
	return e
}

func unreadable(raw []byte, id ID, err error) Event {
	text := raw
	if len(text) > unreadableMax {
		cut := unreadableMax
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	return Event{
		ID:           id,
		ActivityCode: CodeUnreadable,
		Activity:     "Audit entry birdseye could not read (its raw text is in meta.raw)",
		InitiatorID:  "sys",
		Meta: Meta{
			{Key: "raw", Value: strings.ToValidUTF8(string(text), "\uFFFD")},
			{Key: "error", Value: err.Error()},
			{Key: "bytes", Value: fmt.Sprint(len(raw))},
		},
	}
}

func compact(v json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return append(json.RawMessage(nil), v...)
	}
	return b.Bytes()
}
