package audit

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird"
)

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuf) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Split(strings.TrimSuffix(l.b.String(), "\n"), "\n")
}

func TestTailShowsTheNewestThenStreams(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &source{}
		src.add(5, 3, 4, 1, 2)
		out, errs := &lockedBuf{}, &lockedBuf{}
		done := make(chan error, 1)
		go func() {
			done <- Tail(t.Context(), src, noResolve{}, TailOptions{Initial: 2, Interval: time.Minute, Loc: time.UTC, Errors: errs}, out)
		}()
		synctest.Wait()
		lines := out.lines()
		require.Len(t, lines, 3)
		require.Equal(t, "-- streaming new events every 60s --", lines[2])
		src.add(7, 6)
		src.fail(errors.New("connection refused"))
		time.Sleep(time.Minute)
		synctest.Wait()
		require.Contains(t, errs.lines()[0], "birdseye: poll failed, retrying in 1m0s: connection refused")
		time.Sleep(time.Minute)
		synctest.Wait()
		require.Len(t, out.lines(), 5)
		src.fail(&netbird.Error{Kind: netbird.KindAuth, Status: 401, Message: "token invalid"})
		time.Sleep(time.Minute)
		synctest.Wait()
		require.ErrorIs(t, <-done, ErrFatal)
	})
}

func TestTailOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &source{}
		src.add(1, 2, 3)
		out := &lockedBuf{}
		require.NoError(t, Tail(t.Context(), src, noResolve{}, TailOptions{Initial: 10, Once: true, Loc: time.UTC}, out))
		require.Len(t, out.lines(), 3)
		require.Equal(t, 1, src.callCount())
	})
}
