package main

import (
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

func get(addr, path string) (int, string) {
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestE2EMetricsAndHealthEndpoints(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	_, hookURL := newMattermost(t)
	addr := freeAddr(t)
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, api, sf, "METRICS_ADDR="+addr, "MATTERMOST_WEBHOOK_URL="+hookURL))
	d.waitLog("metrics served")
	d.waitLog("first boot")
	f.AddN(3, "policy.update", "p")
	d.waitFor("the events in the metrics", func() bool {
		_, body := get(addr, "/metrics")
		return strings.Contains(body, `birdseye_events_forwarded_total{sink="mattermost"} 3`)
	})
	_, body := get(addr, "/metrics")
	require.Contains(t, body, `birdseye_events_seen_total{stream="audit"} 3`)
	require.Contains(t, body, `birdseye_events_forwarded_total{sink="stdout"} 3`)
	require.Contains(t, body, `birdseye_outbox_depth{sink="mattermost"} 0`)
	require.Contains(t, body, `birdseye_api_outage 0`)
	code, _ := get(addr, "/healthz")
	require.Equal(t, 200, code)
	code, _ = get(addr, "/readyz")
	require.Equal(t, 200, code)

	d = start(t, baseEnv(t, api, sf, "METRICS_ADDR=9469"))
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), `config: METRICS_ADDR="9469" is not host:port; expected e.g. :9469`)
}
