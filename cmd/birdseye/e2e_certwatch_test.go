package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// tlsEndpoint serves a certificate for localhost until notAfter, signed by
// ca (nil: by itself), on loopback; it returns its port.
func tlsEndpoint(t *testing.T, notAfter time.Time, ca *x509.Certificate, caKey *ecdsa.PrivateKey) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: notAfter,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	signer, signerKey := tmpl, key
	if ca != nil {
		signer, signerKey = ca, caKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	require.NoError(t, err)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { c.(*tls.Conn).Handshake(); c.Close() }()
		}
	}()
	return strings.TrimPrefix(ln.Addr().String(), "127.0.0.1:")
}

// The daemon reads the certificates of the endpoints it is given by real
// TLS handshakes: one that expires in 5 days and one a client refuses are
// told once each on stdout and in Mattermost, written as Checkmk services
// and exposed as metrics; a restart tells nothing again.
func TestE2ECertificateWatchTellsAnExpiringAndARefusedCertificateOnce(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "birdseye test CA"}, IsCA: true, BasicConstraintsValid: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0), KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &key.PublicKey, key)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644))
	soon := tlsEndpoint(t, time.Now().Add(5*24*time.Hour+time.Hour), ca, key)
	self := tlsEndpoint(t, time.Now().AddDate(0, 3, 0), nil, nil)

	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	mm, hookURL := newMattermost(t)
	spool := filepath.Join(dir, "spool")
	require.NoError(t, os.Mkdir(spool, 0o755))
	addr := freeAddr(t)
	env := baseEnv(t, api, filepath.Join(dir, "state.json"), "WATCH=on", "SSL_CERT_FILE="+caFile, "CERT_WATCH_HOSTS=localhost:"+soon+",localhost:"+self,
		"CHECKMK_SPOOL_DIR="+spool, "METRICS_ADDR="+addr, "MATTERMOST_WEBHOOK_URL="+hookURL)
	d := start(t, env)
	d.waitLog("watching TLS certificates")
	require.Contains(t, d.logs(), "localhost:"+soon+" (CERT_WATCH_HOSTS), localhost:"+self+" (CERT_WATCH_HOSTS)")
	d.waitFor("two certificate lines", func() bool { return len(certLines(d.stdout())) >= 2 })
	lines := certLines(d.stdout())
	require.Len(t, lines, 2)
	require.Contains(t, lines[0], "birdseye.certificate.expiring")
	require.Contains(t, lines[0], "TLS certificate expires in 5 days  target=localhost:"+soon+"  name='localhost:"+soon+"' from='CERT_WATCH_HOSTS'")
	require.Contains(t, lines[1], "birdseye.certificate.invalid")
	require.Contains(t, lines[1], "the chain does not verify: signed by an unknown authority")
	waitPosts(t, d, mm, 1)
	var posts []string
	for _, p := range mm.Posts() {
		posts = append(posts, p.Text)
	}
	require.Contains(t, strings.Join(posts, "\n"), "**TLS certificate expires in 5 days**: localhost:"+soon+"  · from='CERT_WATCH_HOSTS' expires=")
	require.Contains(t, strings.Join(posts, "\n"), "**TLS certificate refused**: localhost:"+self+"  · from='CERT_WATCH_HOSTS'")

	b, err := os.ReadFile(filepath.Join(spool, "7200_netbird_certificates.txt"))
	require.NoError(t, err)
	require.Contains(t, string(b), "2 NetBird_Certificate_localhost_"+soon+" expiry_days=5;21;7 ")
	require.Contains(t, string(b), "2 NetBird_Certificate_localhost_"+self+" - the chain does not verify")
	_, body := get(addr, "/metrics")
	require.Contains(t, body, `birdseye_certificate_invalid{host="localhost:`+soon+`"} 0`)
	require.Contains(t, body, `birdseye_certificate_invalid{host="localhost:`+self+`"} 1`)
	require.Contains(t, body, `birdseye_certificate_expiry_timestamp_seconds{host="localhost:`+soon+`"} `)
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())

	d = start(t, env)
	d.waitLog("TLS certificate refused") // the first round after the restart
	waitMorePolls(d, f, "/api/events/audit", 3)
	require.Empty(t, certLines(d.stdout()), "told once, also across a restart")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
}

func certLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.Contains(l, "birdseye.certificate.") {
			out = append(out, l)
		}
	}
	return out
}
