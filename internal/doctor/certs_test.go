package doctor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/certwatch"
	"github.com/styliteag/birdseye/internal/config"
)

func TestDoctorSaysWhenEachWatchedCertificateExpiresAndFailsARefusedOne(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	at := func(host string, days int) certwatch.Reading {
		return certwatch.Reading{Target: certwatch.Target{Host: host, Port: "443", From: "NB_URL"}, Expires: now.AddDate(0, 0, days).Add(time.Hour), Subject: "CN=" + host, Leaf: true}
	}
	refused := at("relay.example.com", 80)
	refused.From, refused.Problem = "Relay.Addresses", "the chain does not verify: signed by an unknown authority (a self-signed certificate, or a missing intermediate)"
	p := Probes{Certs: func(context.Context, time.Time) ([]certwatch.Reading, string) {
		return []certwatch.Reading{at("nb.example.com", 80), at("signal.example.com", 12), refused}, "NB_MANAGEMENT_CONFIG=/m.json is unreadable (permission denied): its signal and relay certificates are not watched"
	}}
	cfg := &config.Config{Watch: config.Watch{On: true, CertDays: config.List{"21", "7", "1"}}}
	var got []Result
	checkCerts(t.Context(), cfg, p, now, func(r Result) { got = append(got, r) })
	require.Len(t, got, 4)
	require.Equal(t, Warn, got[0].Status)
	require.Contains(t, got[0].Detail, "permission denied")
	require.Equal(t, Result{OK, "TLS nb.example.com:443", "CN=nb.example.com expires in 80 days, 2027-02-23 (NB_URL)", ""}, got[1])
	require.Equal(t, Result{Warn, "TLS signal.example.com:443", "CN=signal.example.com expires in 12 days, 2026-12-17 (NB_URL)", "renew it before clients refuse the connection"}, got[2])
	require.Equal(t, Fail, got[3].Status)
	require.Equal(t, "TLS relay.example.com:443", got[3].Name)
	require.Contains(t, got[3].Detail, "signed by an unknown authority (a self-signed certificate, or a missing intermediate) (Relay.Addresses)")

	got = nil
	cfg.Watch.On = false
	checkCerts(t.Context(), cfg, p, now, func(r Result) { got = append(got, r) })
	require.Empty(t, got, "WATCH=off: the certificates are not watched, nor checked")
}
