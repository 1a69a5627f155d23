package httppost

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/sink"
)

func TestAnswersAreClassifiedAsTheReceiverMeantThem(t *testing.T) {
	for _, c := range []struct {
		status     int
		retryAfter string
		gone, perm bool
		after      time.Duration
		hasAfter   bool
	}{
		{status: 410, gone: true},
		{status: 429, retryAfter: "120", after: 2 * time.Minute, hasAfter: true},
		{status: 503, retryAfter: "7", after: 7 * time.Second, hasAfter: true},
		{status: 502, retryAfter: "soon"},
		{status: 504},
		{status: 500, retryAfter: "60"}, // only 429, 502, 503 and 504 are read
		{status: 404, perm: true},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if c.retryAfter != "" {
				w.Header().Set("Retry-After", c.retryAfter)
			}
			w.WriteHeader(c.status)
		}))
		err := Do(t.Context(), srv.Client(), Request{Sink: "webhook", URL: srv.URL + "/hook-secret"})
		srv.Close()
		require.Error(t, err)
		require.NotContains(t, err.Error(), "hook-secret", "the URL is redacted")
		require.Equal(t, c.gone, sink.IsGone(err), c.status)
		require.Equal(t, c.perm, sink.IsPermanent(err), c.status)
		after, ok := sink.RetryAfter(err)
		require.Equal(t, c.hasAfter, ok, c.status)
		require.Equal(t, c.after, after, c.status)
	}
}

func TestRetryAfterAsAnHTTPDate(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	d, ok := retryAfter(now.Add(90*time.Second).Format(http.TimeFormat), now)
	require.True(t, ok)
	require.Equal(t, 90*time.Second, d)
	d, ok = retryAfter(now.Add(-time.Hour).Format(http.TimeFormat), now)
	require.True(t, ok)
	require.Zero(t, d, "a date in the past: at once")
}
