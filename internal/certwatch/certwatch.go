// Package certwatch reads the TLS certificates NetBird's clients depend on
// (the management endpoint, signal, relays, any host:port named) by a
// handshake with SNI, as a client makes it, and says what is wrong now (a
// chain that does not verify, a name that does not match, a certificate
// already expired) or soon: the first certificate of the presented chain
// to expire, an intermediate included, against lead times in days. Each
// host is told once per lead time, also across restarts (State).
package certwatch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"time"
)

// Target is one endpoint: host and port, and where it was read (NB_URL,
// CERT_WATCH_HOSTS, management.json's Signal.URI, …).
type Target struct {
	Host, Port string
	From       string
	// Addr, when set, is where to connect instead of Host:Port (the name
	// is still sent and checked): a test's loopback, or a load balancer.
	Addr string
}

func (t Target) String() string { return net.JoinHostPort(t.Host, t.Port) }

// Reading is what one handshake showed.
type Reading struct {
	Target
	// Expires is the earliest NotAfter of the chain the server presents,
	// Subject the certificate that has it, Leaf whether that is the
	// server's own (else an intermediate expires first).
	Expires time.Time
	Subject string
	Leaf    bool
	// Problem is why a client would refuse the chain now ("" when it
	// would not): no handshake, an unknown authority, another name,
	// expired.
	Problem string
}

// Read makes one handshake with SNI and checks the chain as a client
// would, at now, against roots (nil: the system's).
func Read(ctx context.Context, t Target, roots *x509.CertPool, now time.Time) Reading {
	r := Reading{Target: t}
	d := tls.Dialer{Config: &tls.Config{ServerName: t.Host, InsecureSkipVerify: true}} // verified below, with the reason kept
	addr := t.Addr
	if addr == "" {
		addr = t.String()
	}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		r.Problem = "no TLS handshake: " + err.Error()
		return r
	}
	defer conn.Close()
	chain := conn.(*tls.Conn).ConnectionState().PeerCertificates
	if len(chain) == 0 {
		r.Problem = "no certificate presented"
		return r
	}
	for i, c := range chain {
		if r.Expires.IsZero() || c.NotAfter.Before(r.Expires) {
			r.Expires, r.Subject, r.Leaf = c.NotAfter, c.Subject.String(), i == 0
		}
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	_, err = chain[0].Verify(x509.VerifyOptions{DNSName: t.Host, Roots: roots, Intermediates: inter, CurrentTime: now})
	r.Problem = problem(err, now, r)
	return r
}

func problem(err error, now time.Time, r Reading) string {
	var inv x509.CertificateInvalidError
	var host x509.HostnameError
	var unknown x509.UnknownAuthorityError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &inv) && inv.Reason == x509.Expired:
		return fmt.Sprintf("expired on %s (%s)", r.Expires.UTC().Format("2006-01-02"), r.Subject)
	case errors.As(err, &host):
		return "the certificate is not for " + r.Host + ": " + host.Error()
	case errors.As(err, &unknown):
		return "the chain does not verify: signed by an unknown authority (a self-signed certificate, or a missing intermediate)"
	}
	return "the chain does not verify: " + err.Error()
}

// Days left until the reading's expiry, rounded down.
func (r Reading) Days(now time.Time) int {
	return int(r.Expires.Sub(now).Hours() / 24)
}

// State is what was told per host (host:port): the lead time last told
// (days), or -1 for a problem told; persisted by the caller.
type State map[string]int

// Leads are the lead times in days, any order (CERT_WATCH_DAYS, default
// 21, 7, 1).
type Leads []int

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// Tell says what to tell about a reading now, as the alert's title, or ""
// for nothing (the host, expiry, subject and problem go with it): a
// problem once (until it is gone), each lead time once (the smallest one
// reached, so a restart after two thresholds tells the nearer one only),
// nothing again until the certificate is renewed.
func Tell(st State, r Reading, leads Leads, now time.Time) string {
	key := r.String()
	if r.Problem != "" {
		if last, ok := st[key]; ok && last == -1 {
			return ""
		}
		st[key] = -1
		return "TLS certificate refused"
	}
	days := r.Days(now)
	sorted := slices.Sorted(slices.Values(leads))
	reached := -2
	for _, l := range sorted {
		if days <= l {
			reached = l
			break
		}
	}
	if reached == -2 {
		delete(st, key) // renewed, or far off: the next lead time is new again
		return ""
	}
	if last, ok := st[key]; ok && last != -1 && last <= reached {
		return ""
	}
	st[key] = reached
	what := "TLS certificate"
	if !r.Leaf {
		what = "TLS certificate chain" // an intermediate first: the subject says which
	}
	if days == 0 {
		return what + " expires within a day"
	}
	return fmt.Sprintf("%s expires in %s", what, plural(days, "day"))
}
