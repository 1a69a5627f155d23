package roots

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// A process loads the system's roots once, so each case runs this test
// binary again with SSL_CERT_FILE and SSL_CERT_DIR set; the child registers
// the fallback and verifies a root of the embedded bundle through the
// system pool, and prints what happened.
func TestMain(m *testing.M) {
	if os.Getenv("ROOTS_CHILD") == "1" {
		used, err := EnsureFallback()
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		verified, total := 0, 0
		for c := range validRoots() {
			total++
			if _, err := c.Verify(x509.VerifyOptions{}); err == nil {
				verified++
			}
		}
		fmt.Printf("fallback=%v verified=%v\n", used, verified == total && total > 100)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// validRoots are the bundle's roots valid today, constrained ones included.
func validRoots() iter.Seq[*x509.Certificate] {
	return func(yield func(*x509.Certificate) bool) {
		for r := range bundle.Roots() {
			c, err := x509.ParseCertificate(r.Certificate)
			if err == nil && time.Now().Before(c.NotAfter) && time.Now().After(c.NotBefore) && !yield(c) {
				return
			}
		}
	}
}

func embeddedRoot() *x509.Certificate {
	for c := range validRoots() {
		return c
	}
	panic("no usable root in the bundle")
}

func child(t *testing.T, certFile, certDir string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "ROOTS_CHILD=1", "SSL_CERT_FILE="+certFile, "SSL_CERT_DIR="+certDir)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return strings.TrimSpace(string(out))
}

func TestWithoutSystemRootsEveryEmbeddedOneVerifies(t *testing.T) {
	dir := t.TempDir()
	assert.Equal(t, "fallback=true verified=true", child(t, filepath.Join(dir, "none.pem"), filepath.Join(dir, "none")))
}

func TestSystemRootsWinOverTheEmbeddedOnes(t *testing.T) {
	// A system CA file holding one unrelated root: the embedded roots are
	// neither parsed nor trusted.
	var other *x509.Certificate
	first := embeddedRoot()
	for r := range bundle.Roots() {
		if c, err := x509.ParseCertificate(r.Certificate); err == nil && !c.Equal(first) {
			other = c
			break
		}
	}
	require.NotNil(t, other)
	file := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: other.Raw}), 0o600))
	assert.Equal(t, "fallback=false verified=false", child(t, file, t.TempDir()))
}
