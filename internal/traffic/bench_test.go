package traffic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sort"
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
	_, seen, _, err := Poll(b.Context(), c, netbird.TrafficFilter{}, Cursor{Since: t0}, 1, n)
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
				got, _, _, err := Poll(b.Context(), c, netbird.TrafficFilter{}, bc.cur, 1, n)
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

// BenchmarkDaemonPollBound is `birdseye run` when a busy network has 50,000
// new records: each poll reads its bound (20 pages of 1,000) and turns them
// into events for the sinks; the rest is read by the next polls, in order,
// until all 50,000 came once. Peak live heap follows the bound, not the
// backlog. The server honours start_date, end_date and paging like the API.
func BenchmarkDaemonPollBound(b *testing.B) {
	const n, size = 50000, 1000
	recs := make([]netbird.TrafficEvent, n)
	for i := range recs {
		// 50,000 records over 50 seconds: one poll cannot read them all.
		r := rec(fmt.Sprintf("flow-%06d", i), "pa", "EGRESS", t0.Add(time.Duration(i)*time.Millisecond), int64(i), int64(i))
		if i%7 == 0 {
			r.NumOfDrops = 1
		}
		recs[i] = r
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var page, size int
		fmt.Sscan(q.Get("page"), &page)
		fmt.Sscan(q.Get("page_size"), &size)
		start, _ := time.Parse(time.RFC3339, q.Get("start_date"))
		end, _ := time.Parse(time.RFC3339, q.Get("end_date"))
		lo := sort.Search(n, func(i int) bool { return !at(recs[i]).Before(start) })
		hi := n
		if !end.IsZero() {
			hi = sort.Search(n, func(i int) bool { return at(recs[i]).After(end) })
		}
		in := recs[lo:max(lo, hi)]
		from, to := min((page-1)*size, len(in)), min(page*size, len(in))
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(netbird.TrafficPage{Data: in[from:to], Page: page, PageSize: size, TotalRecords: len(in), TotalPages: (len(in) + size - 1) / size})
	}))
	defer srv.Close()
	polls := 0
	src := Source{API: benchClient(b, srv.URL), MaxPages: 20, PageSize: size, Behind: func(int) {}}
	b.ReportAllocs()
	var base runtime.MemStats // the fake server's records live in this process too
	runtime.GC()
	runtime.ReadMemStats(&base)
	var live uint64
	for b.Loop() {
		cur, total := Cursor{Since: t0.Add(-time.Second)}, 0
		for total < n {
			evs, next, err := src.Poll(b.Context(), cur)
			if err != nil || len(evs) == 0 || len(evs) > 20*size {
				b.Fatalf("poll %d: got %d events (after %d), err %v", polls, len(evs), total, err)
			}
			total += len(evs)
			cur = next
			polls++
			// What a poll holds until the sinks took it: the events, not the pages.
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			live = max(live, ms.HeapAlloc-min(ms.HeapAlloc, base.HeapAlloc))
			runtime.KeepAlive(evs)
		}
		if total != n {
			b.Fatalf("read %d records, want %d", total, n)
		}
	}
	b.ReportMetric(float64(polls)/float64(b.N), "polls/backlog")
	b.ReportMetric(float64(live)/(1<<20), "MiB-live-heap")
}
