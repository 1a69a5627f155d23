package traffic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
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
