package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink/webhook"
)

// The daemon posts signed batches to the webhook; a receiver down for a
// while, and a restart, lose and repeat nothing.
func TestE2EWebhookGetsSignedEventsOnceAcrossAnOutageAndARestart(t *testing.T) {
	const key = "whsec-e2e-5150"
	var mu sync.Mutex
	var got []event.ID
	down := true
	rx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if down {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		if !webhook.Verify(key, r.Header.Get(webhook.SignatureHeader), body, time.Now(), 5*time.Minute) || r.Header.Get("X-Team") != "ops" {
			http.Error(w, "forged", http.StatusUnauthorized)
			return
		}
		var evs []event.Event
		require.NoError(t, json.Unmarshal(body, &evs))
		for _, e := range evs {
			got = append(got, e.ID)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rx.Close)
	received := func() []event.ID { mu.Lock(); defer mu.Unlock(); return append([]event.ID(nil), got...) }

	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	sf := filepath.Join(t.TempDir(), "state.json")
	env := baseEnv(t, api, sf, "WEBHOOK_URL="+rx.URL+"/ingest", "WEBHOOK_SECRET="+key, "WEBHOOK_HEADERS=X-Team: ops", "BACKOFF_CAP_SECONDS=0.1")
	d := start(t, env)
	d.waitLog("first boot")
	f.AddN(3, "policy.update", "p")
	d.waitLog("HTTP 503: maintenance")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())

	f.AddN(2, "user.block", "u")
	mu.Lock()
	down = false
	mu.Unlock()
	d = start(t, env)
	d.waitFor("five events at the webhook", func() bool { return len(received()) >= 5 })
	waitMorePolls(d, f, "/api/events/audit", 5)
	require.Equal(t, []event.ID{2, 3, 4, 5, 6}, received(), "once each, in order, signed")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
}
