package jobs

import (
	"crypto/x509"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/styliteag/birdseye/internal/certwatch"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/monitor"
)

// CertTargets are the TLS endpoints the certificate watch reads: the
// management endpoint's public name, CERT_WATCH_HOSTS, and the signal and
// relays NB_MANAGEMENT_CONFIG sends clients to. unread says why that file
// was not read ("" when it was, or is not set).
func CertTargets(cfg *config.Config) (ts []certwatch.Target, unread string) {
	src := certwatch.Sources{NBURL: cfg.NetBird.URL, PrimaryHost: cfg.Clone.PrimaryHost, Hosts: cfg.Watch.CertHosts}
	if p := cfg.Events.KeyFrom; p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			unread = "NB_MANAGEMENT_CONFIG=" + p + " is unreadable (" + err.Error() + "): its signal and relay certificates are not watched"
		}
		src.Management = b
	}
	return certwatch.Targets(src), unread
}

// CertRoots are the roots a chain is verified against: the system's (the
// image's embedded ones), plus NB_CA_FILE's private CA, which the
// operator's clients trust as birdseye does; nil when there is no such CA.
func CertRoots(cfg *config.Config) *x509.CertPool {
	if cfg.NetBird.CAFile == "" {
		return nil
	}
	pem, err := os.ReadFile(cfg.NetBird.CAFile)
	if err != nil {
		return nil // the API client names NB_CA_FILE's problem at start
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil
	}
	return pool
}

// CertWatch is the certificate watch the daemon runs beside the watch
// (WATCH=on), or nil when there is no endpoint to read.
func CertWatch(cfg *config.Config, out certwatch.Dispatcher, log *slog.Logger, m *metrics.M) *certwatch.Loop {
	ts, unread := CertTargets(cfg)
	if unread != "" {
		log.Warn(unread)
	}
	if !bool(cfg.Watch.On) || len(ts) == 0 {
		return nil
	}
	leads, _ := cfg.Watch.CertLeads() // checked when the configuration was read
	spool := cfg.Monitor.CheckmkDir
	if problem, _ := monitor.SpoolProblem(spool); spool != "" && problem != "" {
		spool = "" // said once at start (spoolWarning)
	}
	return &certwatch.Loop{Targets: ts, Roots: CertRoots(cfg), Leads: leads, Interval: time.Hour,
		StateFile: filepath.Join(filepath.Dir(cfg.Forwarder.StateFile), "certwatch.json"),
		Out:       out, Log: log.With("loop", "certwatch"), Metrics: m, Checkmk: spool}
}
