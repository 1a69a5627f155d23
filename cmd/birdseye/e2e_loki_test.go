package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// pushReceiver is Loki's push endpoint, down (503) while down is set; it
// keeps a line once, as Loki drops a repeated one.
type pushReceiver struct {
	mu    sync.Mutex
	lines map[string]bool
	ids   []string
	down  bool
	fails int
}

func (p *pushReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down {
		p.fails++
		http.Error(w, "no healthy ingesters", 503)
		return
	}
	var req struct {
		Streams []struct {
			Values [][2]string `json:"values"`
		} `json:"streams"`
	}
	if json.Unmarshal(body, &req) != nil {
		http.Error(w, "bad push", 400)
		return
	}
	if p.lines == nil {
		p.lines = map[string]bool{}
	}
	for _, st := range req.Streams {
		for _, v := range st.Values {
			if p.lines[v[0]+v[1]] {
				continue
			}
			p.lines[v[0]+v[1]] = true
			var e struct {
				ID string `json:"id"`
			}
			json.Unmarshal([]byte(v[1]), &e)
			if e.ID != "" {
				p.ids = append(p.ids, e.ID)
			}
		}
	}
	w.WriteHeader(204)
}

func (p *pushReceiver) got() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.ids...)
}

// The daemon pushes every event to Loki once, across a distributor that
// is down for a while.
func TestE2ELokiGetsEveryEventOnceAcrossAnOutage(t *testing.T) {
	rx := &pushReceiver{}
	srv := httptest.NewServer(rx)
	defer srv.Close()
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	d := start(t, baseEnv(t, api, filepath.Join(t.TempDir(), "state.json"), "LOKI_URL="+srv.URL, "STDOUT_INCLUDE="))
	d.waitLog("first boot")
	f.AddN(5, "policy.update", "p")
	d.waitFor("five lines", func() bool { return len(rx.got()) >= 5 })
	rx.mu.Lock()
	rx.down = true
	rx.mu.Unlock()
	f.AddN(20, "group.add", "x")
	d.waitFor("refused pushes", func() bool { rx.mu.Lock(); defer rx.mu.Unlock(); return rx.fails >= 2 })
	rx.mu.Lock()
	rx.down = false
	rx.mu.Unlock()
	d.waitFor("all 25", func() bool { return len(rx.got()) >= 25 })
	waitMorePolls(d, f, "/api/events/audit", 3)
	var want []string
	for _, e := range f.Events()[1:] {
		want = append(want, e.ID.String())
	}
	got := rx.got()
	sort.Slice(got, func(i, j int) bool { return len(got[i]) < len(got[j]) || len(got[i]) == len(got[j]) && got[i] < got[j] })
	require.Equal(t, want, got, "every event once (Loki orders by time, streams by labels)")
}
