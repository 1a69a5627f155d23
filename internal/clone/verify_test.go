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

// NB_URL on the Docker network (http://management:80) reads the primary
// without TLS; the standby is still verified over TLS as clients reach it.
func TestVerifyReadsAPrimaryOnThePlainDockerNetwork(t *testing.T) {
	_, _, _, standby := servers(t)
	plain := httptest.NewServer(fake.New())
	t.Cleanup(plain.Close)
	v := Verify(context.Background(), "cold", API{URL: plain.URL, Token: fake.AdminToken}, standby)
	require.Empty(t, v.Problem)
	require.True(t, v.Faithful)

	standby.URL = "http://example.com"
	v = Verify(context.Background(), "cold", API{URL: plain.URL, Token: fake.AdminToken}, standby)
	require.False(t, v.Faithful)
	require.Equal(t, "the standby is verified as clients reach it, over TLS; got http://example.com", v.Problem)
}

// The standby is spoken to as clients would: https, the target's name, the
// public port (none for 443), whatever scheme and port NB_URL has.
func TestTheStandbyIsAddressedByItsPublicName(t *testing.T) {
	for _, c := range []struct{ primary, port, want string }{
		{"http://management:80", "", "https://nb.example.com"},
		{"https://nb.example.com", "", "https://nb.example.com"},
		{"https://nb.example.com:8443/netbird", "8443", "https://nb2.example.com:8443/netbird"},
	} {
		o := Options{Primary: API{URL: c.primary}, Plan: StagePlan{Port: c.port}, StandbyDial: "203.0.113.7:443"}
		host := "nb.example.com"
		if c.port != "" {
			host = "nb2.example.com"
		}
		a := o.standbyAPI(Target{Host: host})
		require.Equal(t, c.want, a.URL, c.primary)
		require.Equal(t, "203.0.113.7:443", a.Dial)
	}
}

// A target kept running is compared after an install and a refresh: its
// name is returned when it matches; when it does not, the refresh stops
// at "verify <name>" with what differs. The drill's own target and the
// cold ones are left to the drill.
func TestVerifyRunningComparesTheHotTargets(t *testing.T) {
	_, sf, primary, standby := servers(t)
	cold := Target{Name: "cold", Host: "example.com"}
	hot := Target{Name: "hot", Host: "example.com", Autostart: true}
	o := Options{Primary: primary, StandbyDial: standby.Dial, Plan: StagePlan{Targets: []Target{cold, hot}, Failover: cold}}
	var out bytes.Buffer
	ok, err := o.VerifyRunning(context.Background(), o.Targets(), &out)
	require.NoError(t, err, out.String())
	require.Equal(t, []string{"hot"}, ok)
	require.Contains(t, out.String(), "== verify hot (kept running)")
	require.NotContains(t, out.String(), "verify cold")

	sf.SetPeers(`[]`)
	_, err = o.VerifyRunning(context.Background(), o.Targets(), &out)
	var step *StepError
	require.ErrorAs(t, err, &step)
	require.Equal(t, "verify hot", step.Step)
	require.Contains(t, err.Error(), "the standby does not match the primary: peers")

	o.Primary.Token = ""
	ok, err = o.VerifyRunning(context.Background(), o.Targets(), &out)
	require.NoError(t, err)
	require.Empty(t, ok, "no token, nothing compared")
}
