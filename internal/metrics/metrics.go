// Package metrics exposes birdseye's Prometheus metrics and its health
// endpoints on METRICS_ADDR: events seen, forwarded and dropped per sink,
// outbox depth, poll duration and errors by kind, the last successful poll,
// the API outage, job runs, failures and last success, backup sizes. Every
// method is safe on a nil *M, which is how metrics are off.
//
// It writes the Prometheus text format with VictoriaMetrics/metrics, which
// does for a handful of counters what client_golang does at a fifth of the
// binary size (see docs/performance.md).
package metrics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	vm "github.com/VictoriaMetrics/metrics"
)

// M holds the metrics.
type M struct {
	set *vm.Set
	// gauges whose value is set, not read from a function.
	mu     sync.Mutex
	values map[string]float64
	poll   *vm.PrometheusHistogram
	// families are the series of each gauge family set whole (Family), so
	// that a label value no longer present is dropped, not left stale.
	families map[string]map[string]bool
}

func init() { vm.ExposeMetadata(true) } // # TYPE lines, as Prometheus expects

// New registers birdseye's metrics.
func New() *M {
	m := &M{set: vm.NewSet(), values: map[string]float64{}}
	m.poll = m.set.NewPrometheusHistogramExt("birdseye_poll_duration_seconds", vm.ExponentialBuckets(0.005, 2, 12))
	for _, g := range []string{"birdseye_last_successful_poll_timestamp_seconds", "birdseye_api_outage"} {
		m.gauge(g)
	}
	m.add(0, "birdseye_audit_events_lost_total") // from 0, for increase()
	for _, kind := range []string{"network", "auth", "not-found", "rate-limit", "server", "client", "decode", "delivery", "other"} {
		m.add(0, "birdseye_poll_errors_total", "kind", kind)
	}
	return m
}

// name is a metric with its labels, sorted by label name as Prometheus
// clients write them: name{a="x",b="y"}.
func name(metric string, labels ...string) string {
	if len(labels) == 0 {
		return metric
	}
	pairs := make([]string, 0, len(labels)/2)
	for i := 0; i+1 < len(labels); i += 2 {
		pairs = append(pairs, fmt.Sprintf("%s=%q", labels[i], labels[i+1]))
	}
	sort.Strings(pairs)
	return metric + "{" + strings.Join(pairs, ",") + "}"
}

func (m *M) add(n int, metric string, labels ...string) {
	m.set.GetOrCreateCounter(name(metric, labels...)).Add(n)
}

// gauge registers a gauge that reads the value last set.
func (m *M) gauge(full string) {
	m.set.GetOrCreateGauge(full, func() float64 {
		m.mu.Lock()
		defer m.mu.Unlock()
		return m.values[full]
	})
}

func (m *M) setGauge(v float64, metric string, labels ...string) {
	full := name(metric, labels...)
	m.mu.Lock()
	_, known := m.values[full]
	m.values[full] = v
	m.mu.Unlock()
	if !known {
		m.gauge(full)
	}
}

// Poll records one poll: its duration, and its error kind when it failed.
func (m *M) Poll(d time.Duration, errKind string, now time.Time) {
	if m == nil {
		return
	}
	m.poll.Update(d.Seconds())
	if errKind != "" {
		m.add(1, "birdseye_poll_errors_total", "kind", errKind)
		return
	}
	m.setGauge(float64(now.Unix()), "birdseye_last_successful_poll_timestamp_seconds")
}

// Seen counts new events of a stream.
func (m *M) Seen(stream string, n int) {
	if m != nil && n > 0 {
		m.add(n, "birdseye_events_seen_total", "stream", stream)
	}
}

// OddEntries counts audit entries that did not decode cleanly, by kind:
// kept_as_text, unreadable, bad_id.
func (m *M) OddEntries(kind string, n int) {
	if m != nil && n > 0 {
		m.add(n, "birdseye_audit_entries_odd_total", "kind", kind)
	}
}

// PollCapped counts a stream poll that left rows for the next polls.
func (m *M) PollCapped(stream string) {
	if m != nil {
		m.add(1, "birdseye_stream_polls_capped_total", "stream", stream)
	}
}

// Outage sets the outage gauge.
func (m *M) Outage(on bool) {
	if m == nil {
		return
	}
	v := 0.0
	if on {
		v = 1
	}
	m.setGauge(v, "birdseye_api_outage")
}

// Delivered counts what a sink took and what it was told it missed.
func (m *M) Delivered(sink string, forwarded, skipped, dropped int) {
	if m == nil {
		return
	}
	m.add(forwarded, "birdseye_events_forwarded_total", "sink", sink)
	// Both reasons exist from 0 once a sink delivers, for increase().
	m.add(skipped, "birdseye_events_dropped_total", "sink", sink, "reason", "catchup")
	m.add(dropped, "birdseye_events_dropped_total", "sink", sink, "reason", "queue_full")
}

// Rejected counts records a receiver took but refused for good (OTLP's
// partial success), as dropped events of the reason "rejected".
func (m *M) Rejected(sink string, n int) {
	if m != nil {
		m.add(n, "birdseye_events_dropped_total", "sink", sink, "reason", "rejected")
	}
}

// OutboxDepth exposes the number of events waiting for a sink.
func (m *M) OutboxDepth(sink string, depth func() int) {
	if m == nil {
		return
	}
	m.set.GetOrCreateGauge(name("birdseye_outbox_depth", "sink", sink), func() float64 { return float64(depth()) })
}

// JobScheduled makes a scheduled job's counters exist from 0: a rate or
// an increase over them then sees its first run and its first failure.
func (m *M) JobScheduled(job string) {
	if m != nil {
		m.add(0, "birdseye_job_runs_total", "job", job)
		m.add(0, "birdseye_job_failures_total", "job", job)
	}
}

// Job records a run of a scheduled job.
func (m *M) Job(job string, err error, now time.Time) {
	if m == nil {
		return
	}
	m.add(1, "birdseye_job_runs_total", "job", job)
	if err != nil {
		m.add(1, "birdseye_job_failures_total", "job", job)
		return
	}
	m.setGauge(float64(now.Unix()), "birdseye_job_last_success_timestamp_seconds", "job", job)
}

// BackupSize records the size of the last archive of a kind.
func (m *M) BackupSize(kind string, bytes int64) {
	if m != nil {
		m.setGauge(float64(bytes), "birdseye_backup_size_bytes", "kind", kind)
	}
}

// EventsSource records where the audit events are read from: api or db.
func (m *M) EventsSource(source string) {
	if m != nil {
		for _, s := range []string{"api", "db"} {
			v := 0.0
			if s == source {
				v = 1
			}
			m.setGauge(v, "birdseye_events_source", "source", s)
		}
	}
}

// BackupVerified records when an archive of a kind last passed the
// restore check.
func (m *M) BackupVerified(kind string, now time.Time) {
	if m != nil {
		m.setGauge(float64(now.Unix()), "birdseye_backup_last_verified_timestamp_seconds", "kind", kind)
	}
}

// Certificate records one reading of a watched TLS endpoint (host:port):
// when the first certificate of its chain expires (not set when no
// handshake showed one), and whether a client would refuse it now.
func (m *M) Certificate(host string, expires time.Time, refused bool) {
	if m == nil {
		return
	}
	if !expires.IsZero() {
		m.setGauge(float64(expires.Unix()), "birdseye_certificate_expiry_timestamp_seconds", "host", host)
	}
	v := 0.0
	if refused {
		v = 1
	}
	m.setGauge(v, "birdseye_certificate_invalid", "host", host)
}

// UpdateAvailable records whether a newer release of a component is
// known: netbird_update_available{component="management"|"dashboard"}
// for NetBird's, birdseye_update_available for birdseye's own.
func (m *M) UpdateAvailable(component string, newer bool) {
	if m == nil {
		return
	}
	v := 0.0
	if newer {
		v = 1
	}
	if component == "birdseye" {
		m.setGauge(v, "birdseye_update_available")
		return
	}
	m.setGauge(v, "netbird_update_available", "component", component)
}

// UpdateChecked records when a release source was last read:
// server, peers, release, birdseye.
func (m *M) UpdateChecked(source string, at time.Time) {
	if m != nil && !at.IsZero() {
		m.setGauge(float64(at.Unix()), "birdseye_update_check_timestamp_seconds", "source", source)
	}
}

// Family sets a gauge family to exactly these series: each key of values
// is the value of label; a series of the family not among them is
// removed (a NetBird version no peer runs any more). With label "" the
// family is one series, values[""].
func (m *M) Family(metric, label string, values map[string]float64) {
	if m == nil {
		return
	}
	now := map[string]bool{}
	for v, x := range values {
		full := metric
		if label != "" {
			full = name(metric, label, v)
		}
		now[full] = true
		m.setGauge(x, full)
	}
	m.mu.Lock()
	if m.families == nil {
		m.families = map[string]map[string]bool{}
	}
	var gone []string
	for full := range m.families[metric] {
		if !now[full] {
			gone = append(gone, full)
			delete(m.values, full)
		}
	}
	m.families[metric] = now
	m.mu.Unlock()
	for _, full := range gone {
		m.set.UnregisterMetric(full)
	}
}

// NewestAuditEvent records the time of the newest audit event forwarded
// (netbird_audit_newest_event_timestamp_seconds): a NetBird whose audit
// log stays silent for long is worth a look.
func (m *M) NewestAuditEvent(t time.Time) {
	if m == nil || t.IsZero() {
		return
	}
	const metric = "netbird_audit_newest_event_timestamp_seconds"
	m.mu.Lock()
	old, known := m.values[metric]
	m.mu.Unlock()
	if !known || float64(t.Unix()) > old {
		m.setGauge(float64(t.Unix()), metric)
	}
}

// ManagementVersion records the version the management server runs, as
// netbird_management_info{version} 1 (the old version's series goes).
func (m *M) ManagementVersion(v string) {
	if m != nil && v != "" {
		m.Family("netbird_management_info", "version", map[string]float64{v: 1})
	}
}

// EventsLost counts audit events lost to the server's 10,000-event window
// (birdseye_audit_events_lost_total): more arrived between two polls.
func (m *M) EventsLost(n int) {
	if m != nil && n > 0 {
		m.add(n, "birdseye_audit_events_lost_total")
	}
}

// WritePrometheus writes every metric, then the Go runtime's and the
// process's (go_*, process_*), in the Prometheus text format.
func (m *M) WritePrometheus(w io.Writer) {
	m.set.WritePrometheus(w)
	vm.WriteProcessMetrics(w)
}

// Handler serves /metrics, /healthz (the process answers) and /readyz (its
// poll loop is healthy, as `birdseye healthcheck` judges).
func (m *M) Handler(ready func() error) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		m.WritePrometheus(w)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if err := ready(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	return mux
}

// Serve listens on addr until ctx ends.
func (m *M) Serve(ctx context.Context, addr string, ready func() error) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: m.Handler(ready), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
