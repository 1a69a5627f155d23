package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// hecReceiver is a Splunk HTTP Event Collector that is busy (503, code 9)
// while down is set.
type hecReceiver struct {
	mu   sync.Mutex
	ids  []string
	down bool
	busy int
}

func (h *hecReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Header.Get("Authorization") != "Splunk e2e-hec-token" {
		w.WriteHeader(403)
		io.WriteString(w, `{"text":"Invalid token","code":4}`)
		return
	}
	if h.down {
		h.busy++
		w.WriteHeader(503)
		io.WriteString(w, `{"text":"Server is busy","code":9}`)
		return
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for dec.More() {
		var e struct {
			Event map[string]any `json:"event"`
		}
		if dec.Decode(&e) != nil {
			w.WriteHeader(400)
			io.WriteString(w, `{"text":"Invalid data format","code":6}`)
			return
		}
		if id, ok := e.Event["id"].(string); ok {
			h.ids = append(h.ids, id)
		}
	}
	io.WriteString(w, `{"text":"Success","code":0}`)
}

func (h *hecReceiver) got() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.ids...)
}

// The daemon forwards to Splunk every event once and in order, also across
// a busy collector: the events wait in the outbox and follow when it is
// back.
func TestE2ESplunkGetsEveryEventOnceInOrderAcrossABusyCollector(t *testing.T) {
	h := &hecReceiver{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	d := start(t, baseEnv(t, api, filepath.Join(t.TempDir(), "state.json"), "SPLUNK_HEC_URL="+srv.URL, "SPLUNK_HEC_TOKEN=e2e-hec-token", "STDOUT_INCLUDE="))
	d.waitLog("first boot")
	f.AddN(5, "policy.update", "p")
	d.waitFor("five events in Splunk", func() bool { return len(h.got()) >= 5 })
	h.mu.Lock()
	h.down = true
	h.mu.Unlock()
	f.AddN(20, "group.add", "x")
	d.waitFor("the collector refusing", func() bool { h.mu.Lock(); defer h.mu.Unlock(); return h.busy >= 2 })
	h.mu.Lock()
	h.down = false
	h.mu.Unlock()
	d.waitFor("all 25", func() bool { return len(h.got()) >= 25 })
	waitMorePolls(d, f, "/api/events/audit", 3)
	got := h.got()
	require.Len(t, got, 25, "none twice")
	var want []string
	for _, e := range f.Events()[1:] {
		want = append(want, e.ID.String())
	}
	require.Equal(t, want, got, "in order")
}
