package jobs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/certwatch"
	"github.com/styliteag/birdseye/internal/config"
)

func TestTheCertificateWatchReadsTheEndpointsTheConfigurationNames(t *testing.T) {
	dir := t.TempDir()
	mj := filepath.Join(dir, "management.json")
	require.NoError(t, os.WriteFile(mj, []byte(`{"Signal":{"Proto":"https","URI":"signal.example.com:443"},"Relay":{"Addresses":["rels://relay.example.com:443","rel://plain.example.com:80"]}}`), 0o600))
	cfg := &config.Config{NetBird: config.NetBird{URL: "https://nb.example.com"}, Events: config.Events{KeyFrom: mj},
		Watch:     config.Watch{On: true, CertHosts: config.List{"vpn.example.com:8443"}, CertDays: config.List{"21", "7", "1"}},
		Forwarder: config.Forwarder{StateFile: filepath.Join(dir, "state.json")}}
	ts, unread := CertTargets(cfg)
	require.Empty(t, unread)
	var names []string
	for _, t := range ts {
		names = append(names, t.String()+" "+t.From)
	}
	require.Equal(t, []string{"nb.example.com:443 NB_URL", "vpn.example.com:8443 CERT_WATCH_HOSTS", "signal.example.com:443 Signal.URI", "relay.example.com:443 Relay.Addresses"}, names)

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	l := CertWatch(cfg, nil, log, nil)
	require.NotNil(t, l)
	require.Equal(t, certwatch.Leads{21, 7, 1}, l.Leads)
	require.Equal(t, filepath.Join(dir, "certwatch.json"), l.StateFile)

	cfg.Events.KeyFrom = filepath.Join(dir, "missing.json")
	ts, unread = CertTargets(cfg)
	require.Len(t, ts, 2, "the others are still watched")
	require.Contains(t, unread, "NB_MANAGEMENT_CONFIG="+cfg.Events.KeyFrom+" is unreadable (")

	cfg.Watch.On = false
	require.Nil(t, CertWatch(cfg, nil, log, nil), "WATCH=off")
	cfg.Watch.On, cfg.NetBird.URL, cfg.Watch.CertHosts, cfg.Events.KeyFrom = true, "http://management:80", nil, ""
	require.Nil(t, CertWatch(cfg, nil, log, nil), "nothing to read: an internal NB_URL names no public certificate")
}

func TestAPrivateCAInNBCAFileIsTrustedByTheCertificateWatch(t *testing.T) {
	require.Nil(t, CertRoots(&config.Config{}), "the system's roots")
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "private CA"}, IsCA: true, BasicConstraintsValid: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0), KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644))
	pool := CertRoots(&config.Config{NetBird: config.NetBird{CAFile: ca}})
	require.NotNil(t, pool)
	sys, _ := x509.SystemCertPool()
	require.False(t, pool.Equal(sys), "the private CA is added")
	require.Nil(t, CertRoots(&config.Config{NetBird: config.NetBird{CAFile: filepath.Join(dir, "missing.pem")}}))
}
