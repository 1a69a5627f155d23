package netbird

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// limiter answers like NetBird's optional API rate limiter: the first
// request gets 429 with Retry-After: 30, the rest go through; it records
// when each request arrived.
type limiter struct {
	mu    sync.Mutex
	times []time.Time
}

func (l *limiter) RoundTrip(r *http.Request) (*http.Response, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.times = append(l.times, time.Now())
	if len(l.times) == 1 {
		return &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"30"}, "Content-Type": {"text/plain"}},
			Body: io.NopCloser(strings.NewReader("rate limit exceeded")), Request: r}, nil
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader("[]")), Request: r}, nil
}

func TestAfterA429NoLoopAsksAgainBeforeTheServerSaidItMay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, err := New("https://netbird.example.com", "nbp_x")
		require.NoError(t, err)
		lim := &limiter{}
		c.http.Transport = lim
		start := time.Now()
		_, err = c.ListPeers(t.Context()) // the watch hits the limit
		require.Equal(t, KindRateLimit, KindOf(err))
		var wg sync.WaitGroup
		for range 3 { // the audit poll, a stream and the change diffs come next
			wg.Go(func() {
				_, err := c.ListUsers(t.Context())
				require.NoError(t, err)
			})
		}
		wg.Wait()
		require.Len(t, lim.times, 4)
		for _, at := range lim.times[1:] {
			require.GreaterOrEqual(t, at.Sub(start), 30*time.Second, "held back for the Retry-After")
		}

		// A caller that gives up while held back gets its context's error.
		lim.times = nil
		c.pace.hold(time.Minute)
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		_, err = c.ListUsers(ctx)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Empty(t, lim.times, "nothing was sent")
	})
}
