package doctor

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/certwatch"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/netbird/nbtest"
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

// The version line reads the release source as the daily check does: a
// newer release is a warning, a source that cannot be read is said as
// such (with the fix), never as up to date.
func TestDoctorSaysANewerReleaseOrThatItCouldNotCheck(t *testing.T) {
	_, api := nbtest.Start(t, fake.AuditorToken)
	dir := t.TempDir()
	cfg := &config.Config{NetBird: config.NetBird{URL: api.BaseURL()}, Forwarder: config.Forwarder{StateFile: filepath.Join(dir, "state.json")}}
	say := func() Result {
		var got []Result
		checkUpdates(t.Context(), cfg, Probes{API: api}, time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC), func(r Result) { got = append(got, r) })
		require.Len(t, got, 1)
		return got[0]
	}
	release := filepath.Join(dir, "version")
	require.NoError(t, os.WriteFile(release, []byte("0.78.0\n"), 0o644))
	cfg.Watch.UpdateSource = release
	require.Equal(t, Result{Warn, "NetBird version", "NetBird 0.78.0 is available, management runs 0.77.1-local (the release source)", ""}, say())

	cfg.Watch.UpdateSource = filepath.Join(dir, "missing")
	r := say()
	require.Equal(t, Warn, r.Status)
	require.Contains(t, r.Detail, "could not check for a newer release (never read since 2026-12-05 09:00 UTC): read the release file: ")
	require.Contains(t, r.Hint, "or set it to off (air-gapped)")

	cfg.Watch.UpdateSource = "off"
	require.Equal(t, OK, say().Status)
}
