package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// A failure that passes is tried again after 1 s, then 2 s; the third
// attempt's success is the answer.
func TestATransientFailureIsTriedAgainWithGrowingPauses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		var at []time.Duration
		calls := 0
		err := Default.Do(t.Context(), func() error {
			at = append(at, time.Since(start))
			if calls++; calls < 3 {
				return fmt.Errorf("put: %w", syscall.ECONNRESET)
			}
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, []time.Duration{0, time.Second, 3 * time.Second}, at)
	})
}

// A permanent failure returns at once; attempts that run out return the
// last failure.
func TestAPermanentFailureIsNotRetriedAndAttemptsEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		denied := errors.New("HTTP 403 AccessDenied")
		require.ErrorIs(t, Default.Do(t.Context(), func() error { calls++; return denied }), denied)
		require.Equal(t, 1, calls)

		calls = 0
		var told []int
		p := Policy{Attempts: 3, OnRetry: func(_ error, n int, _ time.Duration) { told = append(told, n) }}
		err := p.Do(t.Context(), func() error { calls++; return io.ErrUnexpectedEOF })
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		require.Equal(t, 3, calls)
		require.Equal(t, []int{2, 3}, told)
	})
}

// A cancelled run stops waiting.
func TestACancelledContextEndsThePause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		calls := 0
		go func() { time.Sleep(500 * time.Millisecond); cancel() }()
		err := Policy{Attempts: 5}.Do(ctx, func() error { calls++; return syscall.ECONNREFUSED })
		require.ErrorIs(t, err, syscall.ECONNREFUSED)
		require.Equal(t, 1, calls)
	})
}

func TestNetworkFailuresThatPass(t *testing.T) {
	require.True(t, Network(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}))
	require.True(t, Network(fmt.Errorf("read: %w", io.ErrUnexpectedEOF)))
	require.False(t, Network(errors.New("ssh: handshake failed: host key refused")))
	require.False(t, Network(context.Canceled))
	require.False(t, Network(nil))
}
