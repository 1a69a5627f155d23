package metrics

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func scrape(t *testing.T, m *M, path string, ready func() error) (int, string) {
	t.Helper()
	srv := httptest.NewServer(m.Handler(ready))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestTheMetricsSayWhatHappened(t *testing.T) {
	m := New()
	now := time.Unix(1_800_000_000, 0)
	m.Poll(40*time.Millisecond, "", now)
	m.Poll(time.Second, "server", now.Add(time.Minute))
	m.Seen("audit", 3)
	m.Delivered("mattermost", 2, 5, 1)
	m.OutboxDepth("mattermost", func() int { return 7 })
	m.Outage(true)
	m.Job("backup", nil, now)
	m.Job("cleanup-ephemeral", errors.New("x"), now)
	m.BackupSize("volumes", 1234)
	code, body := scrape(t, m, "/metrics", func() error { return nil })
	require.Equal(t, 200, code)
	for _, want := range []string{
		`birdseye_events_seen_total{stream="audit"} 3`,
		`birdseye_events_forwarded_total{sink="mattermost"} 2`,
		`birdseye_events_dropped_total{reason="catchup",sink="mattermost"} 5`,
		`birdseye_events_dropped_total{reason="queue_full",sink="mattermost"} 1`,
		`birdseye_outbox_depth{sink="mattermost"} 7`,
		`birdseye_poll_errors_total{kind="server"} 1`,
		`birdseye_poll_duration_seconds_count 2`,
		`birdseye_last_successful_poll_timestamp_seconds 1800000000`,
		`birdseye_api_outage 1`,
		`birdseye_job_runs_total{job="backup"} 1`,
		`birdseye_job_failures_total{job="cleanup-ephemeral"} 1`,
		`birdseye_job_last_success_timestamp_seconds{job="backup"} 1800000000`,
		`birdseye_backup_size_bytes{kind="volumes"} 1234`,
		`process_resident_memory_bytes`,
	} {
		require.True(t, strings.Contains(body, want), "missing %s", want)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	m := New()
	code, _ := scrape(t, m, "/healthz", func() error { return nil })
	require.Equal(t, 200, code)
	code, body := scrape(t, m, "/readyz", func() error { return errors.New("unhealthy: the poll loop is stuck") })
	require.Equal(t, 503, code)
	require.Contains(t, body, "the poll loop is stuck")
	code, _ = scrape(t, m, "/readyz", func() error { return nil })
	require.Equal(t, 200, code)
}

func TestANilMIsOff(t *testing.T) {
	var m *M
	require.NotPanics(t, func() {
		m.Poll(time.Second, "", time.Now())
		m.Seen("audit", 1)
		m.Delivered("stdout", 1, 0, 0)
		m.OutboxDepth("x", func() int { return 1 })
		m.Outage(true)
		m.Job("j", nil, time.Now())
		m.BackupSize("volumes", 1)
		m.Certificate("h:443", time.Now(), true)
	})
}

// Every family has its # TYPE line, as Prometheus expects, and the new
// counters appear with their labels.
func TestTheExpositionIsPrometheusText(t *testing.T) {
	m := New()
	m.OddEntries("bad_id", 2)
	m.PollCapped("traffic")
	_, body := scrape(t, m, "/metrics", func() error { return nil })
	for _, want := range []string{
		"# TYPE birdseye_audit_entries_odd_total counter\n",
		`birdseye_audit_entries_odd_total{kind="bad_id"} 2`,
		`birdseye_stream_polls_capped_total{stream="traffic"} 1`,
		"# TYPE birdseye_poll_duration_seconds histogram\n",
		`birdseye_poll_duration_seconds_bucket{le="+Inf"} 0`,
		"go_goroutines",
	} {
		require.Contains(t, body, want)
	}
}

func TestACertificateReadingIsItsExpiryAndWhetherItIsRefused(t *testing.T) {
	m := New()
	m.Certificate("nb.example.com:443", time.Unix(1_800_000_000, 0), false)
	m.Certificate("relay.example.com:443", time.Time{}, true) // no handshake: no expiry to tell
	_, body := scrape(t, m, "/metrics", nil)
	require.Contains(t, body, `birdseye_certificate_expiry_timestamp_seconds{host="nb.example.com:443"} 1800000000`)
	require.Contains(t, body, `birdseye_certificate_invalid{host="nb.example.com:443"} 0`)
	require.Contains(t, body, `birdseye_certificate_invalid{host="relay.example.com:443"} 1`)
	require.NotContains(t, body, `birdseye_certificate_expiry_timestamp_seconds{host="relay.example.com:443"}`)
}

func TestAFamilySetWholeDropsTheSeriesNoLongerThere(t *testing.T) {
	m := New()
	m.Family("netbird_peers_by_version", "version", map[string]float64{"0.77.1": 3, "0.76.0": 1})
	m.Family("netbird_peers", "", map[string]float64{"": 4})
	_, body := scrape(t, m, "/metrics", nil)
	require.Contains(t, body, `netbird_peers_by_version{version="0.76.0"} 1`)
	require.Contains(t, body, "netbird_peers 4\n")
	m.Family("netbird_peers_by_version", "version", map[string]float64{"0.77.1": 4})
	_, body = scrape(t, m, "/metrics", nil)
	require.Contains(t, body, `netbird_peers_by_version{version="0.77.1"} 4`)
	require.NotContains(t, body, `version="0.76.0"`, "no peer runs it any more: gone, not a stale 1")
	m.Family("netbird_peers_by_version", "version", map[string]float64{"0.76.0": 2})
	_, body = scrape(t, m, "/metrics", nil)
	require.Contains(t, body, `netbird_peers_by_version{version="0.76.0"} 2`, "back again")
}

func TestTheNewestAuditEventOnlyMovesForward(t *testing.T) {
	m := New()
	m.NewestAuditEvent(time.Unix(1_800_000_100, 0))
	m.NewestAuditEvent(time.Unix(1_800_000_000, 0)) // an older one forwarded later (ids commit out of order)
	m.NewestAuditEvent(time.Time{})
	_, body := scrape(t, m, "/metrics", nil)
	require.Contains(t, body, "netbird_audit_newest_event_timestamp_seconds 1800000100\n")
}

func TestCountersAnAlertRuleWatchesStartAtZero(t *testing.T) {
	m := New()
	m.JobScheduled("backup")
	_, body := scrape(t, m, "/metrics", nil)
	require.Contains(t, body, "birdseye_audit_events_lost_total 0\n")
	require.Contains(t, body, `birdseye_job_runs_total{job="backup"} 0`)
	require.Contains(t, body, `birdseye_job_failures_total{job="backup"} 0`)
}
