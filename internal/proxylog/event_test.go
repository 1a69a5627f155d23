package proxylog

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird"
)

func TestARefusedRequestBecomesAFailedEventWithItsStatusLabels(t *testing.T) {
	l := netbird.ProxyLog{ID: "r1", ServiceID: "svc", Timestamp: t0, Method: "GET", Host: "grafana.example.com", Path: "/admin",
		StatusCode: 401, SourceIP: "203.0.113.7", CountryCode: "DE", Reason: "authentication failed", DurationMS: 3}
	ev := Event(l)
	require.Equal(t, "proxy.failed", ev.ActivityCode)
	require.Equal(t, []string{"failed", "401", "4xx"}, ev.Labels)
	require.Equal(t, "401 GET grafana.example.com/admin from 203.0.113.7 (DE): authentication failed", ev.Activity)
	require.Equal(t, "203.0.113.7", ev.Initiator())
	require.Equal(t, "r1", ev.Key)
	got, ok := ev.Time()
	require.True(t, ok)
	require.True(t, got.Equal(t0))

	for code, want := range map[int]string{200: "success", 302: "success", 404: "failed", 502: "failed", 0: "failed"} {
		require.Equal(t, want, Labels(netbird.ProxyLog{StatusCode: code})[0], code)
	}
	ok200 := Event(netbird.ProxyLog{ID: "r2", Timestamp: t0.Add(time.Second), StatusCode: 200, UserID: "alice", AuthMethodUsed: "oidc"})
	require.Equal(t, "proxy.success", ok200.ActivityCode)
	require.Equal(t, "alice", ok200.Initiator())
}
