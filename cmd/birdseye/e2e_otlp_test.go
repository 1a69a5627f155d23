package main

import (
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/sink/otlp/otelcoltest"
)

// The daemon sends the audit log and the failed proxy requests to a real
// OpenTelemetry Collector over OTLP/HTTP; the collector is killed and
// started again while events arrive: every event reaches the backend
// behind it once, in order, and the header's secret never shows.
func TestE2EARealCollectorGetsEveryEventOnceAcrossItsRestart(t *testing.T) {
	be := &otelcoltest.Backend{}
	srv := httptest.NewServer(be)
	defer srv.Close()
	col := otelcoltest.Start(t, srv.URL, nil)
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	d := start(t, baseEnv(t, api, filepath.Join(t.TempDir(), "state.json"), "OTLP_LOGS_ENDPOINT="+col.Endpoint,
		"OTLP_HEADERS=X-Api-Key=e2e-otlp-secret", "OTLP_RESOURCE_ATTRIBUTES=deployment.environment=lab",
		"PROXY_LOGS=on", "PROXY_POLL_INTERVAL=0.05", "OTLP_PROXY_INCLUDE=failed", "STDOUT_INCLUDE=", "STDOUT_PROXY_INCLUDE="))
	d.waitLog("proxy access log: forwarding new ones from now on")
	audit := func() (ids []int64, proxy []string) {
		for _, r := range be.Records() {
			switch r.Attrs["netbird.stream"] {
			case "audit":
				ids = append(ids, r.Attrs["netbird.event.id"].(int64))
			case "proxy":
				proxy = append(proxy, r.Attrs["netbird.object"].(string))
			}
		}
		return ids, proxy
	}
	f.AddN(5, "policy.update", "p")
	d.waitFor("five records", func() bool { ids, _ := audit(); return len(ids) >= 5 })

	col.Stop()
	f.AddN(20, "group.add", "x")
	at := time.Now().UTC().Truncate(time.Second)
	f.AddProxyLogs(fake.Access{Time: at, Method: "POST", Host: "vault.example.com", Path: "/login", Status: 401, SourceIP: "198.51.100.9"},
		fake.Access{Time: at, Method: "GET", Host: "vault.example.com", Path: "/", Status: 200, SourceIP: "198.51.100.9"},
		fake.Access{Time: at, Method: "GET", Host: "grafana.example.com", Path: "/admin", Status: 403, SourceIP: "198.51.100.7"})
	d.waitLog("delivery failed; the events stay queued and are retried")
	col.Restart(t)
	d.waitFor("all 25 and the two failed requests", func() bool { ids, proxy := audit(); return len(ids) >= 25 && len(proxy) >= 2 })
	waitMorePolls(d, f, "/api/events/audit", 3)
	waitMorePolls(d, f, "/api/events/proxy", 3)

	var want []int64
	for _, e := range f.Events()[1:] {
		want = append(want, int64(e.ID))
	}
	ids, proxy := audit()
	require.Equal(t, want, ids, "every event once, in order")
	require.ElementsMatch(t, []string{"POST vault.example.com/login 401", "GET grafana.example.com/admin 403"}, proxy, "the failed requests only (OTLP_PROXY_INCLUDE)")
	r := be.Records()[0]
	require.Equal(t, "birdseye", r.Resource["service.name"])
	require.Equal(t, "lab", r.Resource["deployment.environment"])
	require.Equal(t, api.URL, r.Resource["netbird.management.url"])
	require.NotContains(t, d.logs(), "e2e-otlp-secret")
}

// `sinks test otlp` sends the sample event through a real collector.
func TestE2ESinksTestReachesARealCollector(t *testing.T) {
	be := &otelcoltest.Backend{}
	srv := httptest.NewServer(be)
	defer srv.Close()
	col := otelcoltest.Start(t, srv.URL, nil)
	_, api := newAPI(t)
	env := baseEnv(t, api, filepath.Join(t.TempDir(), "state.json"), "OTLP_LOGS_ENDPOINT="+col.Endpoint, "OTLP_PROTOCOL=http/json")
	d := start(t, env, "sinks", "test", "otlp")
	require.Equal(t, 0, d.waitExit(), d.logs())
	require.Contains(t, d.logs(), "ok    otlp")
	require.Len(t, be.Records(), 1)
	require.Equal(t, "birdseye.test", be.Records()[0].EventName)

	col.Stop()
	d = start(t, env, "sinks", "test", "otlp")
	require.Equal(t, 1, d.waitExit())
	require.Contains(t, d.logs(), "FAIL  otlp")
	require.Contains(t, d.logs(), "connection refused")
}
