package netbird

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"net/http"
	"slices"
	"strconv"

	"github.com/styliteag/birdseye/internal/event"
)

// AuditPath is the audit list endpoint (no query parameters, no paging: the
// newest 10,000 events, ordered by timestamp, newest first).
const AuditPath = "/events/audit"

// AuditCap is the most events the audit endpoint returns.
const AuditCap = 10000

// AuditList is the outcome of one audit fetch.
type AuditList struct {
	Events []event.Event // the kept events, in the server's order
	Count  int           // events in the list
	MinID  event.ID      // lowest id in the list (0 when empty)
	MaxID  event.ID      // highest id in the list
	BadIDs int           // entries whose id is not a number; never kept
	// BadIDSamples are the raw ids of the first such entries (up to
	// badIDSamples), for the log.
	BadIDSamples []string
	// Odd are the kept entries that did not decode cleanly; each was kept
	// as well as it could be (see event.Decode) and is among Events.
	Odd []OddEntry
	// HeldBack says the source kept events back for the next poll (the
	// store source reads no more than the sinks have room for): a short
	// or empty list is then no sign that the backlog is caught up.
	HeldBack bool
}

// OddEntry is a kept audit entry that did not decode cleanly.
type OddEntry struct {
	ID         event.ID
	Problem    string
	Unreadable bool // not JSON: forwarded as an event.CodeUnreadable notice
}

const badIDSamples = 20

// ListAuditEvents streams GET /api/events/audit and fully decodes only the
// entries for which keep(id) is true. The body is read in 64 KiB pieces and
// each entry is looked at in a reused buffer, so memory stays flat however
// long the list is; only kept events are allocated.
func (c *Client) ListAuditEvents(ctx context.Context, keep func(event.ID) bool) (*AuditList, error) {
	resp, cancel, err := c.get(ctx, AuditPath)
	if err != nil {
		return nil, err
	}
	defer cancel()
	defer resp.Body.Close()
	list, err := ScanAudit(resp.Body, keep)
	if err != nil {
		e := &Error{Kind: KindDecode, Method: http.MethodGet, Path: c.base.Path + AuditPath, Status: resp.StatusCode,
			RequestID: resp.Header.Get("X-Request-Id"), Message: err.Error(), Err: err}
		if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
			e.Kind = KindNetwork
		}
		if !isJSON(resp.Header.Get("Content-Type")) {
			e.Message = "expected a JSON array, got " + resp.Header.Get("Content-Type") + ": " + err.Error()
		}
		return nil, e
	}
	return list, nil
}

// MaxEntry caps the bytes of one audit entry birdseye reads whole. NetBird's
// entries are a few hundred bytes; one that is megabytes (a crafted or broken
// meta) would be held several times over while decoded and rendered (50 MB
// once peaked at 381 MB). Past the cap it is forwarded as an unreadable
// notice with its id and size.
const MaxEntry = 1 << 20

// ScanAudit decodes an audit list from r; see ListAuditEvents.
func ScanAudit(r io.Reader, keep func(event.ID) bool) (*AuditList, error) {
	return scanAudit(&scanner{r: r, buf: make([]byte, 64<<10)}, keep, nil)
}

// ListAuditEventsOf returns the audit events of these codes only, oldest
// last as the server sends them. Only the entries whose text names one of
// the codes are decoded, so memory stays flat however long the list is.
func (c *Client) ListAuditEventsOf(ctx context.Context, codes ...string) ([]event.Event, error) {
	quoted := make([][]byte, len(codes))
	for i, code := range codes {
		quoted[i] = []byte(strconv.Quote(code))
	}
	match := func(obj []byte) bool {
		for _, q := range quoted {
			if bytes.Contains(obj, q) {
				return true
			}
		}
		return false
	}
	resp, cancel, err := c.get(ctx, AuditPath)
	if err != nil {
		return nil, err
	}
	defer cancel()
	defer resp.Body.Close()
	list, err := scanAudit(&scanner{r: resp.Body, buf: make([]byte, 64<<10)}, func(event.ID) bool { return true }, match)
	if err != nil {
		return nil, &Error{Kind: KindDecode, Method: http.MethodGet, Path: c.base.Path + AuditPath, Status: resp.StatusCode, Message: err.Error(), Err: err}
	}
	var out []event.Event
	for _, e := range list.Events {
		if slices.Contains(codes, e.ActivityCode) {
			out = append(out, e)
		}
	}
	return out, nil
}

// scanAudit decodes the entries keep takes and, when match is set, whose
// raw text it matches.
func scanAudit(s *scanner, keep func(event.ID) bool, match func([]byte) bool) (*AuditList, error) {
	out := &AuditList{}
	c, err := s.next()
	if err != nil {
		return nil, fmt.Errorf("empty body: %w", err)
	}
	if c != '[' {
		return nil, fmt.Errorf("body does not start with a JSON array (first byte %q)", c)
	}
	c, err = s.next()
	for err == nil && c != ']' {
		if c != '{' {
			return nil, fmt.Errorf("entry %d is not a JSON object (byte %q)", out.Count+1, c)
		}
		var rawID []byte
		rawID, err = s.object()
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("body ends early (truncated) inside entry %d: %w", out.Count+1, err)
		}
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", out.Count+1, err)
		}
		out.Count++
		id, idErr := event.ParseID(rawID)
		if rawID == nil || idErr != nil {
			out.BadIDs++
			if len(out.BadIDSamples) < badIDSamples {
				sample := "(none)"
				if rawID != nil {
					sample = string(rawID)
				} else if s.size > MaxEntry {
					sample = "(none before the 1 MiB limit)"
				}
				out.BadIDSamples = append(out.BadIDSamples, sample)
			}
		} else {
			if out.MinID == 0 || id < out.MinID {
				out.MinID = id
			}
			out.MaxID = max(out.MaxID, id)
			// keep is called once per entry: a caller may count with it.
			kept := keep(id) && (match == nil || s.size <= MaxEntry && match(s.obj))
			if kept && s.size > MaxEntry {
				e := event.Oversize(s.obj, id, s.size, "over the 1 MiB limit for one entry; its first bytes are in meta.raw")
				out.Odd = append(out.Odd, OddEntry{ID: id, Problem: fmt.Sprintf("%d bytes, over the 1 MiB limit for one entry; forwarded as %s", s.size, event.CodeUnreadable), Unreadable: true})
				out.Events = append(out.Events, e)
			} else if kept {
				e, problem := event.Decode(s.obj, id)
				if problem != "" {
					out.Odd = append(out.Odd, OddEntry{ID: id, Problem: problem, Unreadable: e.ActivityCode == event.CodeUnreadable})
				}
				out.Events = append(out.Events, e)
			}
		}
		c, err = s.next()
		if err != nil {
			break
		}
		if c == ',' {
			c, err = s.next()
		} else if c != ']' {
			return nil, fmt.Errorf("after entry %d: expected ',' or ']', got %q", out.Count, c)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("body ends early (truncated) after %d entries: %w", out.Count, err)
	}
	if c, err := s.next(); err == nil {
		return nil, fmt.Errorf("unexpected %q after the list", c)
	}
	return out, nil
}

type scanner struct {
	r        io.Reader
	buf      []byte
	pos, end int
	err      error
	obj      []byte // the current object, reused; its first MaxEntry bytes
	size     int    // the current object's whole size
}

func (s *scanner) fill() bool {
	if s.err != nil {
		return false
	}
	n, err := s.r.Read(s.buf)
	for n == 0 && err == nil {
		n, err = s.r.Read(s.buf)
	}
	s.pos, s.end = 0, n
	if err != nil {
		s.err = err
		if errors.Is(err, io.EOF) {
			s.err = io.ErrUnexpectedEOF
		}
	}
	return n > 0
}

// next returns the next byte that is not JSON whitespace.
func (s *scanner) next() (byte, error) {
	for {
		for s.pos < s.end {
			c := s.buf[s.pos]
			s.pos++
			if c != ' ' && c != '\n' && c != '\r' && c != '\t' {
				return c, nil
			}
		}
		if !s.fill() {
			return 0, s.err
		}
	}
}

// object copies one object whose '{' was just consumed into s.obj and returns
// the raw value of its top-level "id" (without quotes), or nil when absent.
// It only tracks what it needs: strings, nesting and the "id" key; full
// validation happens when a kept entry is decoded. The loop indexes over the
// read buffer and copies each piece into s.obj once: this is the hot path of
// every poll.
func (s *scanner) object() ([]byte, error) {
	s.obj = append(s.obj[:0], '{')
	s.size = 1
	depth := 1
	inStr, esc := false, false
	expectKey, isKey := true, false
	strStart := 0
	const (
		idNone = iota
		idKeySeen
		idInNumber
		idDone
	)
	idState, idStart, idEnd := idNone, 0, 0
	for {
		if s.pos >= s.end && !s.fill() {
			return nil, s.err
		}
		chunk := s.buf[s.pos:s.end]
		base := len(s.obj) // offset in s.obj of chunk[0]
		i, finished := 0, false
		for i < len(chunk) {
			c := chunk[i]
			if inStr {
				if esc {
					esc = false
					i++
					continue
				}
				i = skipPlain(chunk, i)
				for i < len(chunk) {
					c = chunk[i]
					if c == '"' || c == '\\' {
						break
					}
					i++
				}
				if i == len(chunk) {
					break
				}
				if c == '\\' {
					esc = true
					i++
					continue
				}
				inStr = false
				if depth == 1 {
					end := base + i
					if isKey {
						if idState == idNone && end-strStart == 2 &&
							byteAt(s.obj, chunk, base, strStart) == 'i' && byteAt(s.obj, chunk, base, strStart+1) == 'd' {
							idState = idKeySeen
						}
					} else if idState == idKeySeen {
						idStart, idEnd, idState = strStart, end, idDone
					}
				}
				i++
				continue
			}
			if idState == idInNumber && (c == ',' || c == '}' || c == ' ' || c == '\n' || c == '\r' || c == '\t') {
				idEnd, idState = base+i, idDone
			}
			switch c {
			case '"':
				inStr = true
				strStart = base + i + 1
				if depth == 1 {
					isKey, expectKey = expectKey, false
				}
			case '{', '[':
				depth++
				if depth == 2 && idState == idKeySeen {
					idState = idDone // an object or array id: not a valid id
				}
			case '}', ']':
				depth--
			case ',':
				if depth == 1 {
					expectKey = true
				}
			case ':', ' ', '\n', '\r', '\t':
			default:
				if depth == 1 && idState == idKeySeen {
					idStart, idState = base+i, idInNumber
				}
			}
			i++
			if depth == 0 {
				finished = true
				break
			}
		}
		// Past MaxEntry the rest is only scanned for its end. The read
		// that crosses it is still kept, so that every offset taken in it
		// points into s.obj; an id not found by then is not looked for.
		if s.size <= MaxEntry {
			s.obj = append(s.obj, chunk[:i]...)
		}
		s.size += i
		if s.size > MaxEntry && idState != idDone {
			idState, idStart, idEnd = idDone, 0, 0
		}
		s.pos += i
		if finished {
			if idState == idDone && idEnd > idStart {
				return s.obj[idStart:idEnd], nil
			}
			return nil, nil
		}
	}
}

// skipPlain returns the index of the first '"' or '\\' in b at or after i,
// or len(b) rounded down to 8 bytes before the end: it steps 8 bytes at a time while none of the
// 8 is one of the two (SWAR), which is most of the bytes of an audit list.
func skipPlain(b []byte, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	const quotes, slashes = 0x2222222222222222, 0x5c5c5c5c5c5c5c5c
	for i+8 <= len(b) {
		v := binary.LittleEndian.Uint64(b[i:])
		q, bs := v^quotes, v^slashes
		// The lowest flagged byte is exact (false positives only sit above a
		// real match), so jump straight to it.
		if m := ((q-ones)&^q | (bs-ones)&^bs) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
		i += 8
	}
	return i
}

// byteAt reads position p of the object being copied: already in obj, or
// still in the current chunk that starts at obj offset base.
func byteAt(obj, chunk []byte, base, p int) byte {
	if p < base {
		return obj[p]
	}
	return chunk[p-base]
}
