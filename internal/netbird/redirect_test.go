package netbird

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/fake"
)

func TestARedirectFromHTTPSToHTTPIsRefusedAndTheTokenNeverLeaves(t *testing.T) {
	var sawToken atomic.Bool
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			sawToken.Store(true)
		}
		w.Write([]byte("[]"))
	}))
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(http.RedirectHandler(plain.URL+"/api/events/audit", http.StatusMovedPermanently))
	defer tlsSrv.Close()
	c, err := New(tlsSrv.URL, fake.AuditorToken)
	require.NoError(t, err)
	c.http.Transport.(*http.Transport).TLSClientConfig = tlsSrv.Client().Transport.(*http.Transport).TLSClientConfig
	_, err = c.ListAuditEvents(t.Context(), all)
	require.ErrorContains(t, err, "refused the redirect from https://")
	require.ErrorContains(t, err, "it would send the token unencrypted")
	require.False(t, sawToken.Load(), "the plain-http server never saw the token")
	require.NotContains(t, err.Error(), fake.AuditorToken)
}

func TestARedirectToAnotherHostIsRefusedWithWhatToSet(t *testing.T) {
	_, target := newFake(t)
	moved := httptest.NewServer(http.RedirectHandler(strings.Replace(target.URL, "127.0.0.1", "localhost", 1)+"/api/events/audit", http.StatusFound))
	defer moved.Close()
	c, err := New(moved.URL, fake.AuditorToken)
	require.NoError(t, err)
	_, err = c.ListAuditEvents(t.Context(), all)
	require.ErrorContains(t, err, "the token is not sent to another host; set NB_URL to http://localhost:")
}

func TestARedirectOnTheSameHostIsFollowedAndLoggedOnce(t *testing.T) {
	f := fake.New()
	f.LoadFixtureEvents()
	mux := http.NewServeMux()
	mux.Handle("/netbird/", http.StripPrefix("/netbird", f))
	mux.Handle("/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/netbird"+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	moved := httptest.NewServer(mux)
	defer moved.Close()
	c, err := New(moved.URL, fake.AuditorToken)
	require.NoError(t, err)
	var logs bytes.Buffer
	c.Log = slog.New(slog.NewTextHandler(&logs, nil))
	for range 3 {
		list, err := c.ListAuditEvents(t.Context(), all)
		require.NoError(t, err)
		require.NotZero(t, list.Count)
	}
	require.Equal(t, 1, strings.Count(logs.String(), "NB_URL redirects"), logs.String())
	require.Contains(t, logs.String(), "to="+moved.URL+"/netbird/api/events/audit")
}

func TestNBURLWithoutASchemeAgainstPlainHTTPSaysWhatToWrite(t *testing.T) {
	_, srv := newFake(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	c, err := New(host, fake.AuditorToken)
	require.NoError(t, err)
	_, err = c.ListAuditEvents(t.Context(), all)
	require.ErrorContains(t, err, "NB_URL has no scheme, so https was assumed, but the server answers plain HTTP: use http://"+host)
}

func TestErrorsNameThePathWithNBURLsPrefix(t *testing.T) {
	f := fake.New()
	mux := http.NewServeMux()
	mux.Handle("/netbird/", http.StripPrefix("/netbird", f))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := New(srv.URL+"/netbird", fake.DeletedToken)
	require.NoError(t, err)
	_, err = c.ListAuditEvents(t.Context(), all)
	require.ErrorContains(t, err, "GET /netbird/api/events/audit: HTTP 404")
}
