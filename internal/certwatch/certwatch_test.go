package certwatch

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var now = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

type cert struct {
	der  []byte
	x509 *x509.Certificate
	key  *ecdsa.PrivateKey
}

// issue makes a certificate valid until notAfter, signed by parent (nil:
// itself).
func issue(t *testing.T, cn string, notAfter time.Time, ca bool, parent *cert, names ...string) *cert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	n, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: n, Subject: pkix.Name{CommonName: cn}, NotBefore: now.AddDate(-1, 0, 0), NotAfter: notAfter,
		DNSNames: names, IsCA: ca, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.x509, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return &cert{der, c, key}
}

// serve is a real TLS server on loopback presenting chain (leaf first).
func serve(t *testing.T, chain ...*cert) string {
	t.Helper()
	var tc tls.Certificate
	for _, c := range chain {
		tc.Certificate = append(tc.Certificate, c.der)
	}
	tc.PrivateKey = chain[0].key
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{tc}})
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
	return ln.Addr().String()
}

func target(addr, host string) Target {
	_, port, _ := net.SplitHostPort(addr)
	return Target{Host: host, Port: port, From: "CERT_WATCH_HOSTS", Addr: addr}
}

func TestReadingsSayWhatAClientWouldRefuseAndWhenTheChainExpires(t *testing.T) {
	root := issue(t, "Test Root", now.AddDate(5, 0, 0), true, nil)
	roots := x509.NewCertPool()
	roots.AddCert(root.x509)
	inter := issue(t, "Test Intermediate", now.AddDate(0, 0, 5).Add(time.Hour), true, root)
	good := issue(t, "nb.example.test", now.AddDate(0, 0, 60), false, inter, "nb.example.test")

	r := Read(t.Context(), target(serve(t, good, inter), "nb.example.test"), roots, now)
	require.Empty(t, r.Problem)
	require.Equal(t, 5, r.Days(now), "the intermediate expires first and counts")
	require.False(t, r.Leaf)
	require.Equal(t, "CN=Test Intermediate", r.Subject)

	r = Read(t.Context(), target(serve(t, good, inter), "other.example.test"), roots, now)
	require.Contains(t, r.Problem, "the certificate is not for other.example.test: ")

	self := issue(t, "nb.example.test", now.AddDate(1, 0, 0), false, nil, "nb.example.test")
	r = Read(t.Context(), target(serve(t, self), "nb.example.test"), roots, now)
	require.Equal(t, "the chain does not verify: signed by an unknown authority (a self-signed certificate, or a missing intermediate)", r.Problem)

	r = Read(t.Context(), target(serve(t, good), "nb.example.test"), roots, now)
	require.Contains(t, r.Problem, "unknown authority", "the intermediate not sent: clients cannot build the chain")

	old := issue(t, "nb.example.test", now.AddDate(0, 0, -2), false, inter, "nb.example.test")
	r = Read(t.Context(), target(serve(t, old, inter), "nb.example.test"), roots, now)
	require.Equal(t, "expired on 2026-12-03 (CN=nb.example.test)", r.Problem)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := ln.Addr().String()
	ln.Close()
	r = Read(t.Context(), target(closed, "nb.example.test"), roots, now)
	require.Contains(t, r.Problem, "no TLS handshake: ")
}

// Each lead time is told once per host, a restart with the kept state
// tells nothing again, a renewal starts over; a problem is told once.
func TestEachLeadTimeIsToldOnce(t *testing.T) {
	leads := Leads{21, 7, 1}
	st := State{}
	r := Reading{Target: Target{Host: "nb.example.test", Port: "443", From: "NB_URL"}, Expires: now.AddDate(0, 0, 30), Subject: "CN=nb.example.test", Leaf: true}
	require.Empty(t, Tell(st, r, leads, now), "30 days: nothing yet")
	at := now.AddDate(0, 0, 10) // 20 days left
	require.Equal(t, "TLS certificate expires in 20 days", Tell(st, r, leads, at))
	require.Empty(t, Tell(st, r, leads, at.Add(time.Hour)), "told once")
	kept := State{}
	for k, v := range st {
		kept[k] = v // as written to the state file and read back after a restart
	}
	require.Empty(t, Tell(kept, r, leads, at.AddDate(0, 0, 5)), "15 days: still the 21-day lead time")
	require.Contains(t, Tell(kept, r, leads, now.AddDate(0, 0, 24)), "expires in 6 days", "the 7-day lead time")
	require.Contains(t, Tell(kept, r, leads, now.AddDate(0, 0, 29).Add(time.Hour)), "expires within a day")
	require.Empty(t, Tell(kept, r, leads, now.AddDate(0, 0, 29).Add(2*time.Hour)))

	// Down for two weeks, then back with 3 days left: the nearer lead
	// time only.
	st = State{}
	require.Contains(t, Tell(st, r, leads, now.AddDate(0, 0, 27)), "expires in 3 days")
	require.Empty(t, Tell(st, r, leads, now.AddDate(0, 0, 27).Add(time.Hour)))
	// Renewed: far off again, then the next lead time is new.
	renewed := r
	renewed.Expires = now.AddDate(0, 0, 117)
	require.Empty(t, Tell(st, renewed, leads, now.AddDate(0, 0, 27)))
	require.Contains(t, Tell(st, renewed, leads, now.AddDate(0, 0, 97)), "expires in 20 days")

	bad := r
	bad.Problem = "the certificate is not for nb.example.test"
	require.Equal(t, "TLS certificate refused", Tell(st, bad, leads, now))
	require.Empty(t, Tell(st, bad, leads, now.Add(time.Minute)), "a problem is told once")

	inter := r
	inter.Leaf, inter.Subject, inter.Expires = false, "CN=R11,O=Let's Encrypt", now.AddDate(0, 0, 6)
	require.Equal(t, "TLS certificate chain expires in 6 days", Tell(State{}, inter, leads, now), "an intermediate first: the event's subject names it")
	inter.Expires = now.AddDate(0, 0, 1).Add(time.Hour)
	require.Equal(t, "TLS certificate chain expires in 1 day", Tell(State{}, inter, leads, now))
}

// One round over several endpoints: an event for the one that expires
// within a lead time and the one a client would refuse; none for the
// healthy one; the next round, with the state kept, none at all.
func TestARoundSendsOneEventPerEndpointThatNeedsAnOperator(t *testing.T) {
	root := issue(t, "Test Root", now.AddDate(5, 0, 0), true, nil)
	roots := x509.NewCertPool()
	roots.AddCert(root.x509)
	inter := issue(t, "Test Intermediate", now.AddDate(2, 0, 0), true, root)
	soon := serve(t, issue(t, "soon.example.test", now.AddDate(0, 0, 6), false, inter, "soon.example.test"), inter)
	fine := serve(t, issue(t, "fine.example.test", now.AddDate(0, 3, 0), false, inter, "fine.example.test"), inter)
	wrong := serve(t, issue(t, "x.example.test", now.AddDate(0, 3, 0), false, inter, "x.example.test"), inter)
	targets := []Target{target(soon, "soon.example.test"), target(fine, "fine.example.test"), target(wrong, "wrong.example.test")}
	st := State{}
	evs, readings := Round(t.Context(), targets, roots, Leads{21, 7, 1}, st, now)
	require.Len(t, readings, 3)
	require.Len(t, evs, 2)
	require.Equal(t, CodeExpiring, evs[0].ActivityCode)
	require.Contains(t, evs[0].Activity, "expires in 6 days")
	require.Equal(t, "CERT_WATCH_HOSTS", evs[0].Meta.Get("from"))
	require.Equal(t, CodeInvalid, evs[1].ActivityCode)
	require.Contains(t, evs[1].Meta.Get("problem"), "not for wrong.example.test")
	evs, _ = Round(t.Context(), targets, roots, Leads{21, 7, 1}, st, now.Add(time.Hour))
	require.Empty(t, evs, "told once")
}
