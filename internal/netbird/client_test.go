package netbird

import (
	"context"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird/fake"
)

func newFake(t *testing.T) (*fake.Server, *httptest.Server) {
	t.Helper()
	f := fake.New()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func all(event.ID) bool { return true }

func TestClientSendsTokenAndUserAgentAndHonoursAPathPrefix(t *testing.T) {
	f := fake.New()
	f.LoadFixtureEvents()
	mux := http.NewServeMux()
	mux.Handle("/netbird/", http.StripPrefix("/netbird", f))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	c, err := New(srv.URL+"/netbird/", fake.AuditorToken)
	require.NoError(t, err)
	require.Equal(t, srv.URL+"/netbird/api", c.BaseURL())
	list, err := c.ListAuditEvents(t.Context(), all)
	require.NoError(t, err)
	require.Equal(t, 24, list.Count)
	req := f.Requests()[0]
	require.Equal(t, "/api/events/audit", req.Path)
	require.Equal(t, "Token "+fake.AuditorToken, req.Auth)
	require.Equal(t, "birdseye/dev", req.UserAgent)
}

func TestSchemeDefaultsToHTTPS(t *testing.T) {
	c, err := New("netbird.example.com", "t")
	require.NoError(t, err)
	require.Equal(t, "https://netbird.example.com/api", c.BaseURL())
}

func TestErrorsAreClassifiedAndNameMethodPathStatusMessageAndRequestID(t *testing.T) {
	f, srv := newFake(t)
	cases := []struct {
		name      string
		token     string
		failure   *fake.Failure
		path      string
		kind      Kind
		status    int
		contains  []string
		plainText bool
		retry     time.Duration
	}{
		{name: "malformed token", token: "nbp_bad", kind: KindAuth, status: 401, contains: []string{"GET /api/events/audit: HTTP 401: token invalid (request id fake-"}},
		{name: "no token", token: "", kind: KindAuth, status: 401, contains: []string{"no valid authentication provided"}},
		{name: "deleted token is a JSON 404", token: fake.DeletedToken, kind: KindNotFound, status: 404, contains: []string{"invalid token: pat:"}},
		{name: "unknown route is a plain 404", token: fake.AuditorToken, path: "/events/network-traffic", kind: KindNotFound, status: 404, plainText: true, contains: []string{"GET /api/events/network-traffic: HTTP 404: 404 page not found"}},
		{name: "server error", token: fake.AuditorToken, failure: ptr(fake.ServerError(1)), kind: KindServer, status: 500, contains: []string{"HTTP 500: internal server error"}},
		{name: "proxy HTML page", token: fake.AuditorToken, failure: ptr(fake.BadGateway(1)), kind: KindServer, status: 502, plainText: true, contains: []string{"HTTP 502: HTML page: 502 Bad Gateway"}},
		{name: "rate limit without Retry-After", token: fake.AuditorToken, failure: ptr(fake.RateLimited(1)), kind: KindRateLimit, status: 429, contains: []string{"too many requests"}},
		{name: "other 4xx", token: fake.AuditorToken, failure: &fake.Failure{Status: 422, ContentType: "application/json", Body: `{"message":"for all or icmp protocol ports is not allowed","code":422}`}, kind: KindClient, status: 422},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.ClearFailures()
			if tc.failure != nil {
				f.Fail(*tc.failure)
			}
			c, err := New(srv.URL, tc.token)
			require.NoError(t, err)
			var callErr error
			if tc.path != "" {
				callErr = c.getJSON(t.Context(), tc.path, new(any))
			} else {
				_, callErr = c.ListAuditEvents(t.Context(), all)
			}
			require.Error(t, callErr)
			var e *Error
			require.ErrorAs(t, callErr, &e)
			require.Equal(t, tc.kind, e.Kind, e.Error())
			require.Equal(t, tc.status, e.Status)
			require.Equal(t, tc.plainText, e.PlainText)
			require.Equal(t, tc.retry, e.RetryAfter)
			for _, s := range tc.contains {
				require.Contains(t, e.Error(), s)
			}
			if tc.token != "" {
				require.NotContains(t, e.Error(), tc.token)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestRetryAfterIsReadInSecondsOrAsADate(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	require.Equal(t, 7*time.Second, parseRetryAfter("7", now))
	require.Equal(t, 30*time.Second, parseRetryAfter(now.Add(30*time.Second).Format(http.TimeFormat), now))
	require.Zero(t, parseRetryAfter("", now))
	require.Zero(t, parseRetryAfter("soon", now))

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "12")
		fake.WriteError(w, 429, "too many requests")
	}))
	defer srv.Close()
	c, _ := New(srv.URL, "t")
	_, err := c.ListAuditEvents(t.Context(), all)
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, 12*time.Second, e.RetryAfter)
}

func TestNetworkErrorsAreClassified(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close() // nothing listens here now
	c, _ := New("http://"+addr, "nbp_secret_token")
	_, err = c.ListAuditEvents(t.Context(), all)
	require.Equal(t, KindNetwork, KindOf(err))
	require.Contains(t, err.Error(), "GET /api/events/audit: network error:")
	require.Contains(t, err.Error(), "connection refused")
	require.NotContains(t, err.Error(), "nbp_secret_token")
}

func TestSlowServerHitsTheTimeout(t *testing.T) {
	f, srv := newFake(t)
	f.Fail(fake.Failure{Delay: 5 * time.Second})
	c, _ := New(srv.URL, fake.AuditorToken)
	c.Timeout = 100 * time.Millisecond
	start := time.Now()
	_, err := c.ListAuditEvents(t.Context(), all)
	require.Equal(t, KindNetwork, KindOf(err), err)
	require.Less(t, time.Since(start), 3*time.Second)
}

func TestGarbageHTMLAndTruncatedBodiesAreDecodeErrors(t *testing.T) {
	f, srv := newFake(t)
	f.LoadFixtureEvents()
	c, _ := New(srv.URL, fake.AuditorToken)
	for name, fl := range map[string]fake.Failure{
		"garbage":   fake.GarbageJSON(1),
		"html":      fake.HTMLOK(1),
		"truncated": {Truncate: 3000},
	} {
		f.ClearFailures()
		f.Fail(fl)
		_, err := c.ListAuditEvents(t.Context(), all)
		require.Error(t, err, name)
		k := KindOf(err)
		require.True(t, k == KindDecode || k == KindNetwork, "%s: %v", name, err)
		if name == "html" {
			require.Contains(t, err.Error(), "expected a JSON array, got text/html")
		}
	}
}

func TestListAuditEventsKeepsOnlyWhatIsAsked(t *testing.T) {
	f, srv := newFake(t)
	f.LoadFixtureEvents()
	c, _ := New(srv.URL, fake.AuditorToken)
	list, err := c.ListAuditEvents(t.Context(), func(id event.ID) bool { return id > 20 })
	require.NoError(t, err)
	require.Equal(t, 24, list.Count)
	require.Equal(t, event.ID(1), list.MinID)
	require.Equal(t, event.ID(24), list.MaxID)
	require.Len(t, list.Events, 4)
	for _, e := range list.Events {
		require.Greater(t, e.ID, event.ID(20))
	}
	require.Equal(t, "personal.access.token.delete", list.Events[0].ActivityCode)
}

func TestUsersAndSetupKeysDecodeFromTheRealSamples(t *testing.T) {
	_, srv := newFake(t)
	c, _ := New(srv.URL, fake.AuditorToken)
	users, err := c.ListUsers(t.Context())
	require.NoError(t, err)
	require.Len(t, users, 3, "the captured owner and auditor bot, and the fake's admin bot")
	require.Equal(t, "Admin", users[0].Name)
	require.Equal(t, "admin@netbird.test", users[0].Email)
	keys, err := c.ListSetupKeys(t.Context())
	require.NoError(t, err)
	require.Len(t, keys, 2)
	require.Equal(t, "office-2026", keys[0].Name)
	require.Equal(t, []string{"dc1uf0tqmd2qmv54vjqg", "dc1uf0tqmd2qmv54vjs0"}, keys[0].AutoGroups)
	require.True(t, keys[1].Ephemeral)
	require.Equal(t, 2027, keys[1].Expires.Year())
}

func TestCancelledContextStopsTheRequest(t *testing.T) {
	f, srv := newFake(t)
	f.Fail(fake.Failure{Delay: 10 * time.Second})
	c, _ := New(srv.URL, fake.AuditorToken)
	ctx, cancel := context.WithCancel(t.Context())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	_, err := c.ListAuditEvents(ctx, all)
	require.Error(t, err)
	require.True(t, strings.Contains(err.Error(), "context canceled"), err.Error())
}

func TestNBCAFileTrustsAPrivateCA(t *testing.T) {
	f := fake.New()
	srv := httptest.NewTLSServer(f)
	defer srv.Close()
	plain, _ := New(srv.URL, fake.AuditorToken)
	_, err := plain.ListAuditEvents(t.Context(), all)
	require.Error(t, err, "an unknown CA is refused")
	require.Contains(t, err.Error(), "certificate")

	c, err := New(srv.URL, fake.AuditorToken)
	require.NoError(t, err)
	require.ErrorContains(t, c.TrustCA([]byte("not a certificate")), "holds no PEM certificate")
	require.NoError(t, c.TrustCA(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})))
	_, err = c.ListAuditEvents(t.Context(), all)
	require.NoError(t, err)
}
