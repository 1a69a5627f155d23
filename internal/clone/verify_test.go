package clone

import (
	"bytes"
	"context"
	"crypto/x509"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/fake"
)

// servers runs a primary and a standby fake NetBird over TLS; the standby
// is addressed as the name its certificate carries (example.com) at
// 127.0.0.1, as a standby is reached before DNS moves.
func servers(t *testing.T) (*fake.Server, *fake.Server, API, API) {
	t.Helper()
	pf, sf := fake.New(), fake.New()
	p, s := httptest.NewTLSServer(pf), httptest.NewTLSServer(sf)
	t.Cleanup(p.Close)
	t.Cleanup(s.Close)
	pool := func(srv *httptest.Server) *x509.CertPool {
		cp := x509.NewCertPool()
		cp.AddCert(srv.Certificate())
		return cp
	}
	primary := API{URL: p.URL, Token: fake.AdminToken, RootCA: pool(p)}
	standby := API{URL: "https://example.com", Dial: strings.TrimPrefix(s.URL, "https://"), Token: fake.AdminToken, RootCA: pool(s)}
	return pf, sf, primary, standby
}

func TestVerifyOfAFaithfulCloneSaysTheARecordCanMove(t *testing.T) {
	_, _, primary, standby := servers(t)
	v := Verify(context.Background(), "cold", primary, standby)
	require.Empty(t, v.Problem)
	require.True(t, v.Faithful)
	require.Len(t, v.Rows, 8)
	require.Equal(t, "account id", v.Rows[0].Name)
	require.NotContains(t, v.Rows[0].Primary, "error")
	var out bytes.Buffer
	v.Text(&out, true)
	require.Contains(t, out.String(), "  TLS   ")
	require.Contains(t, out.String(), "chain verified against CLONE_CA_FILE")
	require.Contains(t, out.String(), "The clone is faithful — moving the A record would just work.")
}

func TestVerifyNamesWhatDiffers(t *testing.T) {
	_, sf, primary, standby := servers(t)
	sf.SetPeers(`[]`)
	v := Verify(context.Background(), "hot", primary, standby)
	require.False(t, v.Faithful)
	var out bytes.Buffer
	v.Text(&out, false)
	require.Regexp(t, `peers +\d+ +0 +DIFFERS`, out.String())
	require.Contains(t, out.String(), "Does NOT match the primary.")
}

func TestVerifyRefusesAStandbyWhoseCertificateIsNotForThePrimarysName(t *testing.T) {
	_, _, primary, standby := servers(t)
	standby.URL = "https://nb.example.net"
	v := Verify(context.Background(), "cold", primary, standby)
	require.False(t, v.Faithful)
	require.Contains(t, v.Problem, "cannot reach it:")
	require.Contains(t, v.Problem, "certificate")
}

func TestVerifyRefusesAnUntrustedChain(t *testing.T) {
	_, _, primary, standby := servers(t)
	standby.RootCA = nil // the test CA is not in the system's store
	v := Verify(context.Background(), "cold", primary, standby)
	require.False(t, v.Faithful)
	require.Contains(t, v.Problem, "certificate signed by unknown authority")
}

func TestVerifySaysWhenTheStandbyRefusesTheToken(t *testing.T) {
	_, _, primary, standby := servers(t)
	standby.Token = "nbp_other"
	v := Verify(context.Background(), "cold", primary, standby)
	require.Equal(t, "API: HTTP 401 — it did not accept the primary's token", v.Problem)
	var out bytes.Buffer
	v.Text(&out, true)
	require.Contains(t, out.String(), "Verify of cold FAILED")
}

func TestVerifySaysWhenTheStandbysServerIsNotServing(t *testing.T) {
	_, sf, primary, standby := servers(t)
	sf.Fail(fake.Failure{Status: 502, Body: "<html>502 Bad Gateway</html>", ContentType: "text/html"})
	v := Verify(context.Background(), "cold", primary, standby)
	require.Equal(t, "API: HTTP 502 — the management server there is not serving", v.Problem)
}
