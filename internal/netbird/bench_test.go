package netbird

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/styliteag/birdseye/internal/event"
)

// body10k builds a 10,000-event audit list from the shapes of the real
// server's events (testdata/events_audit.json), newest first, as one poll of
// a busy deployment receives it (the real one is 3.2 MB).
func body10k(b *testing.B) []byte {
	b.Helper()
	raw, err := fixture("events_audit.json")
	if err != nil {
		b.Fatal(err)
	}
	var shapes []map[string]any
	if err := json.Unmarshal(raw, &shapes); err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)
	list := make([]map[string]any, 0, AuditCap)
	for i := AuditCap; i >= 1; i-- {
		e := map[string]any{}
		for k, v := range shapes[i%len(shapes)] {
			e[k] = v
		}
		e["id"] = fmt.Sprint(i)
		e["timestamp"] = start.Add(time.Duration(i) * 731 * time.Millisecond).Format(time.RFC3339Nano)
		list = append(list, e)
	}
	out, err := json.Marshal(list)
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkPoll10kScan is one poll's client-side work: 10,000 events, 5 new.
func BenchmarkPoll10kScan(b *testing.B) {
	body := body10k(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		list, err := ScanAudit(bytes.NewReader(body), func(id event.ID) bool { return id > AuditCap-5 })
		if err != nil || len(list.Events) != 5 {
			b.Fatal(err, list)
		}
	}
}

// BenchmarkPoll10kDecodeAll is the plain alternative: decode the whole body
// into a slice, as the old tool did, then pick the new ones.
func BenchmarkPoll10kDecodeAll(b *testing.B) {
	body := body10k(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var all []event.Event
		if err := json.Unmarshal(body, &all); err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, e := range all {
			if e.ID > AuditCap-5 {
				n++
			}
		}
		if n != 5 {
			b.Fatal(n)
		}
	}
}

// BenchmarkPoll10kOverHTTP2 is a whole poll as the daemon makes it: the
// 10,000-event list over TLS and HTTP/2 from a loopback server, scanned as
// it arrives (with the client's receive window).
func BenchmarkPoll10kOverHTTP2(b *testing.B) {
	body := body10k(b)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	c, err := New(srv.URL, "nbp_bench")
	if err != nil {
		b.Fatal(err)
	}
	if err := c.TrustCA(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		list, err := c.ListAuditEvents(b.Context(), func(id event.ID) bool { return id > AuditCap-5 })
		if err != nil || len(list.Events) != 5 {
			b.Fatal(err, list)
		}
	}
}

// BenchmarkScanAuditOneHugeEntry: a list with one 50 MB entry, kept. Its
// B/op is what reading it costs: about MaxEntry for the copy, not the
// entry's size several times over.
func BenchmarkScanAuditOneHugeEntry(b *testing.B) {
	body := []byte(`[{"id":"2","activity_code":"policy.update","meta":{"blob":"` + strings.Repeat("x", 50<<20) + `"}},{"id":"1"}]`)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		list, err := ScanAudit(bytes.NewReader(body), func(event.ID) bool { return true })
		if err != nil || len(list.Events) != 2 || list.Events[0].ActivityCode != event.CodeUnreadable {
			b.Fatal(err, list)
		}
	}
}
