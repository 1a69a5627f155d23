// Package metrics exposes birdseye's Prometheus metrics and its health
// endpoints on METRICS_ADDR: events seen, forwarded and dropped per sink,
// outbox depth, poll duration and errors by kind, the last successful poll,
// the API outage, job runs, failures and last success, backup sizes. Every
// method is safe on a nil *M, which is how metrics are off.
package metrics

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// M holds the collectors.
type M struct {
	reg            *prometheus.Registry
	seen           *prometheus.CounterVec
	forwarded      *prometheus.CounterVec
	dropped        *prometheus.CounterVec
	pollDuration   prometheus.Histogram
	pollErrors     *prometheus.CounterVec
	lastSuccess    prometheus.Gauge
	outage         prometheus.Gauge
	jobRuns        *prometheus.CounterVec
	jobFailures    *prometheus.CounterVec
	jobLastSuccess *prometheus.GaugeVec
	backupSize     *prometheus.GaugeVec
	oddEntries     *prometheus.CounterVec
	pollsCapped    *prometheus.CounterVec
}

// New registers birdseye's metrics (and the Go and process collectors).
func New() *M {
	m := &M{reg: prometheus.NewRegistry()}
	f := func(c prometheus.Collector) { m.reg.MustRegister(c) }
	m.seen = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "birdseye_events_seen_total", Help: "New events read from NetBird."}, []string{"stream"})
	m.forwarded = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "birdseye_events_forwarded_total", Help: "Events delivered to a sink."}, []string{"sink"})
	m.dropped = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "birdseye_events_dropped_total", Help: "Events a sink did not get: skipped on catch-up (MAX_CATCHUP) or dropped from a full outbox (SINK_QUEUE_MAX)."}, []string{"sink", "reason"})
	m.pollDuration = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "birdseye_poll_duration_seconds", Help: "Duration of one poll of the audit API.", Buckets: prometheus.ExponentialBuckets(0.005, 2, 12)})
	m.pollErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "birdseye_poll_errors_total", Help: "Failed polls by kind (network, auth, server, rate-limit, decode, …)."}, []string{"kind"})
	m.lastSuccess = prometheus.NewGauge(prometheus.GaugeOpts{Name: "birdseye_last_successful_poll_timestamp_seconds", Help: "Unix time of the last successful poll."})
	m.outage = prometheus.NewGauge(prometheus.GaugeOpts{Name: "birdseye_api_outage", Help: "1 while the NetBird API is unreachable."})
	m.jobRuns = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "birdseye_job_runs_total", Help: "Runs of a scheduled job."}, []string{"job"})
	m.jobFailures = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "birdseye_job_failures_total", Help: "Failed runs of a scheduled job."}, []string{"job"})
	m.jobLastSuccess = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "birdseye_job_last_success_timestamp_seconds", Help: "Unix time a job last succeeded."}, []string{"job"})
	m.backupSize = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "birdseye_backup_size_bytes", Help: "Size of the last archive, by kind (volumes, export)."}, []string{"kind"})
	m.oddEntries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "birdseye_audit_entries_odd_total", Help: "Audit entries that did not decode cleanly: kept_as_text (a field of an unexpected type), unreadable (forwarded as a notice), bad_id (no usable id; not forwarded)."}, []string{"kind"})
	m.pollsCapped = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "birdseye_stream_polls_capped_total", Help: "Polls of a stream that found more new rows than one poll reads; the rest follow in the next polls."}, []string{"stream"})
	for _, c := range []prometheus.Collector{m.oddEntries, m.pollsCapped, m.seen, m.forwarded, m.dropped, m.pollDuration, m.pollErrors, m.lastSuccess, m.outage,
		m.jobRuns, m.jobFailures, m.jobLastSuccess, m.backupSize, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		f(c)
	}
	return m
}

// Poll records one poll: its duration, and its error kind when it failed.
func (m *M) Poll(d time.Duration, errKind string, now time.Time) {
	if m == nil {
		return
	}
	m.pollDuration.Observe(d.Seconds())
	if errKind != "" {
		m.pollErrors.WithLabelValues(errKind).Inc()
		return
	}
	m.lastSuccess.Set(float64(now.Unix()))
}

// Seen counts new events of a stream.
func (m *M) Seen(stream string, n int) {
	if m != nil && n > 0 {
		m.seen.WithLabelValues(stream).Add(float64(n))
	}
}

// OddEntries counts audit entries that did not decode cleanly, by kind.
func (m *M) OddEntries(kind string, n int) {
	if m != nil && n > 0 {
		m.oddEntries.WithLabelValues(kind).Add(float64(n))
	}
}

// PollCapped counts a stream poll that left rows for the next polls.
func (m *M) PollCapped(stream string) {
	if m != nil {
		m.pollsCapped.WithLabelValues(stream).Inc()
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
	m.outage.Set(v)
}

// Delivered counts what a sink took and what it was told it missed.
func (m *M) Delivered(sink string, forwarded, skipped, dropped int) {
	if m == nil {
		return
	}
	m.forwarded.WithLabelValues(sink).Add(float64(forwarded))
	if skipped > 0 {
		m.dropped.WithLabelValues(sink, "catchup").Add(float64(skipped))
	}
	if dropped > 0 {
		m.dropped.WithLabelValues(sink, "queue_full").Add(float64(dropped))
	}
}

// OutboxDepth exposes the number of events waiting for a sink.
func (m *M) OutboxDepth(sink string, depth func() int) {
	if m == nil {
		return
	}
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "birdseye_outbox_depth", Help: "Events waiting in a sink's outbox.",
		ConstLabels: prometheus.Labels{"sink": sink}}, func() float64 { return float64(depth()) }))
}

// Job records a run of a scheduled job.
func (m *M) Job(name string, err error, now time.Time) {
	if m == nil {
		return
	}
	m.jobRuns.WithLabelValues(name).Inc()
	if err != nil {
		m.jobFailures.WithLabelValues(name).Inc()
		return
	}
	m.jobLastSuccess.WithLabelValues(name).Set(float64(now.Unix()))
}

// BackupSize records the size of the last archive of a kind.
func (m *M) BackupSize(kind string, bytes int64) {
	if m != nil {
		m.backupSize.WithLabelValues(kind).Set(float64(bytes))
	}
}

// Handler serves /metrics, /healthz (the process answers) and /readyz (its
// poll loop is healthy, as `birdseye healthcheck` judges).
func (m *M) Handler(ready func() error) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
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
