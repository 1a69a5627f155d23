// Package sinktest is the conformance suite every sink passes: an empty
// batch is a no-op, a cancelled context is honoured, server failures and
// timeouts are retryable while configuration problems are permanent, no
// error shows a secret, oversize batches arrive whole (split), and
// concurrent deliveries are safe.
package sinktest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
)

// Failure is how a receiver misbehaves.
type Failure int

const (
	OK          Failure = iota
	ServerError         // 5xx, or the connection refused/reset
	ClientError         // a 4xx other than 408/429: a configuration problem
	Hang                // accepts and never answers
)

// Receiver is the far end of a sink under test.
type Receiver interface {
	// Events is how many events arrived whole.
	Events() int
	// Requests is how many deliveries reached it (requests, messages).
	Requests() int
	// Fail makes what follows fail this way; false when the transport has
	// no such failure (a 4xx for syslog).
	Fail(f Failure) bool
	// Secrets must never appear in an error.
	Secrets() []string
}

// Lossy is implemented by a receiver whose transport may drop messages by
// design (UDP: the kernel drops a burst past the socket buffer); the
// oversize check, a burst of 300 large messages, is skipped for it.
type Lossy interface{ Lossy() bool }

// New builds a fresh sink and its receiver for one check.
type New func(t *testing.T) (sink.Sink, Receiver)

// Events makes n events; size pads each one's meta to about that many bytes.
func Events(n, size int) []event.Event {
	out := make([]event.Event, n)
	for i := range out {
		out[i] = event.Event{ID: event.ID(i + 1), ActivityCode: "policy.update", Activity: "Policy updated", InitiatorName: "alice",
			Timestamp: time.Date(2026, 11, 23, 8, 0, i%60, 0, time.UTC).Format(time.RFC3339Nano), TargetID: fmt.Sprint("pol-", i+1),
			Meta: event.Meta{{Key: "name", Value: "Admins " + strings.Repeat("x", max(0, size-200))}}}
	}
	return out
}

// Run runs the suite. timeout bounds each delivery of the Hang check.
func Run(t *testing.T, newSink New) {
	noSecret := func(t *testing.T, rx Receiver, err error) {
		for _, s := range rx.Secrets() {
			if s != "" {
				require.NotContains(t, err.Error(), s, "an error shows a secret")
			}
		}
	}
	t.Run("an empty batch is a no-op", func(t *testing.T) {
		s, rx := newSink(t)
		require.NoError(t, s.Deliver(t.Context(), sink.Batch{}))
		require.Zero(t, rx.Requests())
	})
	t.Run("events arrive", func(t *testing.T) {
		s, rx := newSink(t)
		require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: Events(3, 0)}))
		require.Eventually(t, func() bool { return rx.Events() == 3 }, 5*time.Second, 5*time.Millisecond)
	})
	t.Run("a cancelled context is honoured", func(t *testing.T) {
		s, rx := newSink(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := s.Deliver(ctx, sink.Batch{Events: Events(2, 0)})
		require.Error(t, err)
		require.ErrorIs(t, err, context.Canceled)
		require.Zero(t, rx.Events())
	})
	t.Run("a server failure is retryable", func(t *testing.T) {
		s, rx := newSink(t)
		if !rx.Fail(ServerError) {
			t.Skip("this transport does not report a far end's failure (UDP)")
		}
		err := s.Deliver(t.Context(), sink.Batch{Events: Events(2, 0)})
		require.Error(t, err)
		require.False(t, sink.IsPermanent(err), err)
		noSecret(t, rx, err)
		rx.Fail(OK)
		require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: Events(2, 0)}), "recovers once the far end does")
	})
	t.Run("a configuration problem is permanent", func(t *testing.T) {
		s, rx := newSink(t)
		if !rx.Fail(ClientError) {
			t.Skip("this transport has no such answer")
		}
		err := s.Deliver(t.Context(), sink.Batch{Events: Events(2, 0)})
		require.Error(t, err)
		require.True(t, sink.IsPermanent(err), err)
		noSecret(t, rx, err)
	})
	t.Run("a far end that never answers times out", func(t *testing.T) {
		s, rx := newSink(t)
		if !rx.Fail(Hang) {
			t.Skip("this transport cannot hang a delivery")
		}
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		err := s.Deliver(ctx, sink.Batch{Events: Events(2, 0)})
		require.Error(t, err)
		require.False(t, sink.IsPermanent(err), err)
		noSecret(t, rx, err)
	})
	t.Run("an oversize batch arrives whole", func(t *testing.T) {
		s, rx := newSink(t)
		if l, ok := rx.(Lossy); ok && l.Lossy() {
			t.Skip("a burst past the receiver's socket buffer is dropped by the kernel (UDP); the transport's own size rule has its own test")
		}
		err := s.Deliver(t.Context(), sink.Batch{Events: Events(300, 8<<10)})
		require.NoError(t, err)
		require.Eventually(t, func() bool { return rx.Events() == 300 }, 10*time.Second, 5*time.Millisecond)
	})
	t.Run("concurrent deliveries are safe", func(t *testing.T) {
		s, rx := newSink(t)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Go(func() { errs <- s.Deliver(t.Context(), sink.Batch{Events: Events(10, 0)}) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.Eventually(t, func() bool { return rx.Events() == 80 }, 5*time.Second, 5*time.Millisecond)
	})
}
