package updates

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird"
)

type countingAPI struct {
	fakeAPI
	n atomic.Int32
}

func (c *countingAPI) GetInstanceVersion(ctx context.Context) (netbird.InstanceVersion, error) {
	c.n.Add(1)
	return c.fakeAPI.GetInstanceVersion(ctx)
}

// The check runs at start, then once a day plus at most an hour of jitter:
// over ten days, ten or eleven checks, and a release is told once.
func TestTheCheckRunsAtStartAndThenDailyWithJitter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api := &countingAPI{fakeAPI: fakeAPI{iv: netbird.InstanceVersion{Current: "0.77.1"}}}
		out := &sinks{}
		l := loop(t, &api.fakeAPI, &fixed{v: "0.78.0"}, nil, out)
		l.Checker.API = api
		l.Interval, l.Jitter = 24*time.Hour, time.Hour
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { l.Run(ctx); close(done) }()
		synctest.Wait()
		require.EqualValues(t, 1, api.n.Load(), "at start")
		time.Sleep(10*24*time.Hour + time.Minute)
		synctest.Wait()
		cancel()
		<-done
		n := api.n.Load()
		require.True(t, n == 10 || n == 11, "%d checks in ten days", n)
		require.Len(t, out.got, 1, "0.78.0 once")
	})
}
