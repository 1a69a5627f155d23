package schedule

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Write(p) }
func (l *logBuf) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func TestJobsFireOnScheduleInTheTimeZone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The bubble's clock starts at 2000-01-01 00:00 UTC (01:00 in Berlin).
		berlin, _ := time.LoadLocation("Europe/Berlin")
		logs := &logBuf{}
		s := New(berlin, slog.New(slog.NewTextHandler(logs, nil)))
		var cleanups, backups atomic.Int32
		var backupAt atomic.Int64
		require.NoError(t, s.Add(Job{Name: "cleanup", Spec: "*/15 * * * *", Run: func(context.Context) error { cleanups.Add(1); return nil }}))
		require.NoError(t, s.Add(Job{Name: "backup", Spec: "0 3 * * *", Run: func(context.Context) error {
			backups.Add(1)
			backupAt.Store(time.Now().Unix())
			return nil
		}}))
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { s.Run(ctx, time.Second); close(done) }()
		time.Sleep(61 * time.Minute)
		synctest.Wait()
		require.Equal(t, int32(4), cleanups.Load(), "00:15, 00:30, 00:45, 01:00 UTC")
		require.Zero(t, backups.Load())
		require.Contains(t, logs.String(), `msg="job scheduled" job=cleanup schedule="*/15 * * * *" next_run=2000-01-01T01:15:00+01:00`)
		require.Contains(t, logs.String(), `job=backup schedule="0 3 * * *" next_run=2000-01-01T03:00:00+01:00`)
		time.Sleep(2 * time.Hour)
		synctest.Wait()
		require.Equal(t, int32(1), backups.Load())
		require.Equal(t, time.Date(2000, 1, 1, 2, 0, 0, 0, time.UTC).Unix(), backupAt.Load(), "03:00 in Berlin")
		cancel()
		<-done
	})
}

func TestARunNeverOverlapsItself(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := &logBuf{}
		s := New(time.UTC, slog.New(slog.NewTextHandler(logs, nil)))
		var running, maxRunning, starts atomic.Int32
		require.NoError(t, s.Add(Job{Name: "slow", Spec: "* * * * *", Run: func(ctx context.Context) error {
			starts.Add(1)
			n := running.Add(1)
			if n > maxRunning.Load() {
				maxRunning.Store(n)
			}
			time.Sleep(150 * time.Second) // longer than the period
			running.Add(-1)
			return nil
		}}))
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { s.Run(ctx, 10*time.Minute); close(done) }()
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		cancel()
		<-done
		require.Equal(t, int32(1), maxRunning.Load())
		require.Less(t, starts.Load(), int32(10))
		require.Contains(t, logs.String(), "job still running; this run is skipped")
	})
}

func TestAFailingOrPanickingJobIsLoggedAndTheOthersGoOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := &logBuf{}
		s := New(time.UTC, slog.New(slog.NewTextHandler(logs, nil)))
		var ok atomic.Int32
		require.NoError(t, s.Add(Job{Name: "broken", Spec: "@every 1m", Run: func(context.Context) error { return errors.New("API says no") }}))
		require.NoError(t, s.Add(Job{Name: "panicky", Spec: "@every 1m", Run: func(context.Context) error { panic("boom") }}))
		require.NoError(t, s.Add(Job{Name: "fine", Spec: "@every 1m", Run: func(context.Context) error { ok.Add(1); return nil }}))
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { s.Run(ctx, time.Second); close(done) }()
		time.Sleep(3*time.Minute + time.Second)
		synctest.Wait()
		cancel()
		<-done
		require.Equal(t, int32(3), ok.Load())
		require.Equal(t, 3, strings.Count(logs.String(), `msg="job failed" job=broken err="API says no"`))
		require.Equal(t, 3, strings.Count(logs.String(), `msg="job panicked" job=panicky panic=boom`))
	})
}

func TestBadSpecsAreRejected(t *testing.T) {
	s := New(time.UTC, slog.Default())
	for _, spec := range []string{"* * *", "61 * * * *", "@sometimes", "every 5 minutes"} {
		err := s.Add(Job{Name: "x", Spec: spec, Run: func(context.Context) error { return nil }})
		require.Error(t, err, spec)
		require.ErrorContains(t, err, `job x: schedule "`+spec+`"`)
	}
	for _, spec := range []string{"*/15 * * * *", "0 3 * * 0", "@hourly", "@every 90m"} {
		_, err := Parse(spec)
		require.NoError(t, err, spec)
	}
}

// Weekday 7 is Sunday, as in Debian's cron, which the Python tool used: a
// .env carried over must start.
func TestWeekdaySevenIsSunday(t *testing.T) {
	for spec, want := range map[string]string{
		"0 3 * * 7": "0 3 * * 0", "0 3 * * 1-7": "0 3 * * 1-6,0", "0 3 * * 5,7": "0 3 * * 5,0",
		"0 3 * * 0": "0 3 * * 0", "@weekly": "@weekly", "*/5 * * * *": "*/5 * * * *",
	} {
		require.Equal(t, want, Normalise(spec), spec)
		_, err := Parse(spec)
		require.NoError(t, err, spec)
	}
	s, err := Parse("0 3 * * 7")
	require.NoError(t, err)
	next := s.Next(time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)) // a Saturday
	require.Equal(t, time.Sunday, next.Weekday())
}
