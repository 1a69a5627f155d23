package traffic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/styliteag/birdseye/internal/netbird"
)

// BenchmarkPoll50k is issue 7's rate target: one poll that finds 50,000 new
// traffic records in one page (the API's largest), decoded, checked against
// the cursor and ordered. Figures go in the issue note.
func BenchmarkPoll50k(b *testing.B) {
	const n = 50000
	recs := make([]netbird.TrafficEvent, n)
	for i := range recs {
		r := rec(fmt.Sprintf("flow-%06d", i), "pa", "EGRESS", t0.Add(time.Duration(n-i)*time.Millisecond), int64(i), int64(i))
		if i%7 == 0 {
			r.NumOfDrops = 1
		}
		r.Events = append(r.Events, struct {
			Timestamp string `json:"timestamp"`
			Type      string `json:"type"`
		}{r.WindowStart, "TYPE_START"})
		recs[i] = r
	}
	var body bytes.Buffer
	if err := json.NewEncoder(&body).Encode(netbird.TrafficPage{Data: recs, Page: 1, PageSize: n, TotalRecords: n, TotalPages: 1}); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body.Bytes())
	}))
	defer srv.Close()
	c := benchClient(b, srv.URL)
	_, seen, err := Poll(b.Context(), c, netbird.TrafficFilter{}, Cursor{Since: t0}, 1, n)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		cur  Cursor
		want int
	}{{"all-new", Cursor{Since: t0}, n}, {"all-seen", seen, 0}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(body.Len()))
			b.ReportAllocs()
			for b.Loop() {
				got, _, err := Poll(b.Context(), c, netbird.TrafficFilter{}, bc.cur, 1, n)
				if err != nil || len(got) != bc.want {
					b.Fatalf("got %d records, want %d, err %v", len(got), bc.want, err)
				}
			}
			b.ReportMetric(float64(body.Len())/(1<<20), "MiB-body")
		})
	}
}

func benchClient(b *testing.B, url string) *netbird.Client {
	c, err := netbird.New(url, "nbp_bench")
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkDaemonPollBound is one poll of `birdseye run` when a busy
// network has 50,000 new records: the daemon reads its bound (20 pages of
// 1,000) and turns them into events for the sinks; the rest waits for the
// next poll. Peak memory follows the bound, not the backlog.
func BenchmarkDaemonPollBound(b *testing.B) {
	const n, size = 50000, 1000
	recs := make([]netbird.TrafficEvent, n)
	for i := range recs {
		r := rec(fmt.Sprintf("flow-%06d", i), "pa", "EGRESS", t0.Add(time.Duration(i)*time.Millisecond), int64(i), int64(i))
		if i%7 == 0 {
			r.NumOfDrops = 1
		}
		recs[i] = r
	}
	pages := make([][]byte, n/size)
	for p := range pages {
		var body bytes.Buffer
		json.NewEncoder(&body).Encode(netbird.TrafficPage{Data: recs[p*size : (p+1)*size], Page: p + 1, PageSize: size, TotalRecords: n, TotalPages: n / size})
		pages[p] = body.Bytes()
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var page int
		fmt.Sscan(r.URL.Query().Get("page"), &page)
		w.Header().Set("Content-Type", "application/json")
		w.Write(pages[page-1])
	}))
	defer srv.Close()
	src := Source{API: benchClient(b, srv.URL), MaxPages: 20, PageSize: size}
	b.ReportAllocs()
	var base runtime.MemStats // the fake server's pages live in this process too
	runtime.GC()
	runtime.ReadMemStats(&base)
	var live uint64
	for b.Loop() {
		evs, _, err := src.Poll(b.Context(), Cursor{Since: t0})
		if err != nil || len(evs) != 20*size {
			b.Fatalf("got %d events, want %d, err %v", len(evs), 20*size, err)
		}
		// What a poll holds until the sinks took it: the events, not the pages.
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		live = max(live, ms.HeapAlloc-min(ms.HeapAlloc, base.HeapAlloc))
		runtime.KeepAlive(evs)
	}
	b.ReportMetric(float64(live)/(1<<20), "MiB-live-heap")
}
