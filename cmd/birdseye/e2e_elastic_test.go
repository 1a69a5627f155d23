package main

import (
	"bufio"
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

// bulkReceiver is an Elasticsearch _bulk endpoint whose write queue is
// full (every item 429 in a 200 answer) while busy is set.
type bulkReceiver struct {
	mu    sync.Mutex
	order []string
	docs  map[string]bool
	busy  bool
	nacks int
}

func (b *bulkReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.docs == nil {
		b.docs = map[string]bool{}
	}
	var items []any
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		var action map[string]map[string]string
		json.Unmarshal(sc.Bytes(), &action)
		sc.Scan()
		id := action["index"]["_id"]
		if b.busy {
			b.nacks++
			items = append(items, map[string]any{"index": map[string]any{"_id": id, "status": 429, "error": map[string]any{"type": "es_rejected_execution_exception"}}})
			continue
		}
		if !b.docs[id] {
			b.docs[id] = true
			b.order = append(b.order, id)
		}
		items = append(items, map[string]any{"index": map[string]any{"_id": id, "status": 201}})
	}
	json.NewEncoder(w).Encode(map[string]any{"errors": b.busy, "items": items})
}

func (b *bulkReceiver) got() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.order...)
}

// The daemon indexes every event once, in order, across a cluster that
// answers 200 with every item refused as busy for a while.
func TestE2EElasticIndexesEveryEventAcrossBusyItems(t *testing.T) {
	rx := &bulkReceiver{}
	srv := httptest.NewServer(rx)
	defer srv.Close()
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	d := start(t, baseEnv(t, api, filepath.Join(t.TempDir(), "state.json"), "ELASTIC_URL="+srv.URL, "STDOUT_INCLUDE="))
	d.waitLog("first boot")
	f.AddN(5, "policy.update", "p")
	d.waitFor("five documents", func() bool { return len(rx.got()) >= 5 })
	rx.mu.Lock()
	rx.busy = true
	rx.mu.Unlock()
	f.AddN(20, "group.add", "x")
	d.waitFor("busy items", func() bool { rx.mu.Lock(); defer rx.mu.Unlock(); return rx.nacks >= 20 })
	rx.mu.Lock()
	rx.busy = false
	rx.mu.Unlock()
	d.waitFor("all 25", func() bool { return len(rx.got()) >= 25 })
	waitMorePolls(d, f, "/api/events/audit", 3)
	var want []string
	for _, e := range f.Events()[1:] {
		want = append(want, e.ID.String())
	}
	require.Equal(t, want, rx.got(), "every event once, in order")
}
