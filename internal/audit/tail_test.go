package audit

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
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

// counting counts the entries a scan decodes (those keep says yes to).
type counting struct {
	*source
	decoded int
}

func (c *counting) ListAuditEvents(ctx context.Context, keep func(event.ID) bool) (*netbird.AuditList, error) {
	return c.source.ListAuditEvents(ctx, func(id event.ID) bool {
		k := keep(id)
		if k {
			c.decoded++
		}
		return k
	})
}

func TestTailOnceDecodesOnlyTheNewestItShows(t *testing.T) {
	src := &counting{source: &source{}}
	for id := event.ID(10000); id >= 1; id-- { // newest first, as the server sends them
		src.add(id)
	}
	src.add(10001) // a late entry with a higher id further down
	var out bytes.Buffer
	require.NoError(t, Tail(t.Context(), src, noResolve{}, TailOptions{Initial: 5, Once: true, JSON: true, Loc: time.UTC}, &out))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 5)
	for i, want := range []string{"9997", "9998", "9999", "10000", "10001"} {
		require.Contains(t, lines[i], `"id":"`+want+`"`, "the newest five, oldest first")
	}
	require.LessOrEqual(t, src.decoded, 6, "five and the late one, not 10,001")
}
