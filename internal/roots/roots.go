// Package roots makes sure TLS clients have CA roots to verify NetBird, SMTP
// and webhook servers against: the system's where it has them, else the
// Mozilla roots embedded in the binary (golang.org/x/crypto/x509roots/
// fallback/bundle), which is what the scratch image uses.
//
// Importing x509roots/fallback would register the embedded roots in every
// process, parsing all ~150 certificates at start and keeping every parsed
// one in memory (~0.6 MiB of the idle daemon's heap), also where the
// system's roots are used. Here they are registered only where the system
// has none, and kept as DER bytes that are parsed when a chain needs them.
package roots

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// EnsureFallback registers the embedded roots as the fallback when the
// system has no CA roots, and reports whether it did. Call it once, before
// the first TLS connection.
func EnsureFallback() (bool, error) {
	if sys, err := x509.SystemCertPool(); err == nil && !sys.Equal(x509.NewCertPool()) {
		return false, nil
	}
	pool, err := embedded()
	if err != nil {
		return false, err
	}
	x509.SetFallbackRoots(pool)
	return true, nil
}

// embedded is a pool of the bundle's roots. Roots with a constraint (a
// distrust date) need AddCertWithConstraint and so a parsed certificate;
// the others go through AppendCertsFromPEM, whose pool keeps the bytes and
// parses a root only when a chain leads to it.
func embedded() (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	for r := range bundle.Roots() {
		if r.Constraint != nil {
			c, err := x509.ParseCertificate(r.Certificate)
			if err != nil {
				return nil, fmt.Errorf("parse the embedded CA roots: %w", err)
			}
			pool.AddCertWithConstraint(c, r.Constraint)
			continue
		}
		if !pool.AppendCertsFromPEM(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.Certificate})) {
			return nil, fmt.Errorf("parse the embedded CA roots: a root is not a certificate")
		}
	}
	return pool, nil
}
