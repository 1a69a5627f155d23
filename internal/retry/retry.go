// Package retry runs an operation again when it failed for a reason that
// passes (a connection reset, a server error), a few times with growing
// pauses, as restic's retry backend does; a permanent failure (a refused
// key, a missing bucket, a bad request) returns at once.
package retry

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"time"
)

// Policy is how often and how patiently to try.
type Policy struct {
	// Attempts in all, the first included (at least 1).
	Attempts int
	// Pause is the wait before attempt n (n ≥ 2); nil: 1 s, 2 s, 4 s, …
	Pause func(n int) time.Duration
	// Transient says whether a failure may pass; nil: Network.
	Transient func(error) bool
	// OnRetry, when set, is told of each failure that is tried again.
	OnRetry func(err error, next int, pause time.Duration)
}

// Default is three attempts, 1 s and 2 s apart, for network failures.
var Default = Policy{Attempts: 3}

// Do runs fn until it succeeds, fails for good, or the attempts or the
// context run out; the last error is returned.
func (p Policy) Do(ctx context.Context, fn func() error) error {
	transient := p.Transient
	if transient == nil {
		transient = Network
	}
	var err error
	for n := 1; ; n++ {
		if err = fn(); err == nil || n >= max(1, p.Attempts) || !transient(err) {
			return err
		}
		pause := time.Second << (n - 1)
		if p.Pause != nil {
			pause = p.Pause(n + 1)
		}
		if p.OnRetry != nil {
			p.OnRetry(err, n+1, pause)
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// Network reports the failures of the network that pass: a connection
// reset, refused or cut short, a timeout.
func Network(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	for _, e := range []error{syscall.ECONNRESET, syscall.ECONNREFUSED, syscall.ECONNABORTED, syscall.EPIPE, syscall.ETIMEDOUT, syscall.EHOSTUNREACH, syscall.ENETUNREACH, io.ErrUnexpectedEOF} {
		if errors.Is(err, e) {
			return true
		}
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
