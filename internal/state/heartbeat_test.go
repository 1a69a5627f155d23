package state

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestHealthFromTheHeartbeat(t *testing.T) {
	dir := t.TempDir()
	sf := filepath.Join(dir, "state.json")
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

	h := Check(sf, now)
	require.False(t, h.Healthy)
	require.Contains(t, h.Lines[0], "no heartbeat")

	require.NoError(t, WriteHeartbeat(HeartbeatPath(sf), Heartbeat{At: now.Add(-time.Minute), NextPoll: now, LastSuccess: now.Add(-time.Minute)}))
	h = Check(sf, now)
	require.True(t, h.Healthy, h.Lines)
	require.Equal(t, "healthy: last poll round 1m0s ago", h.Lines[0])

	require.NoError(t, WriteHeartbeat(HeartbeatPath(sf), Heartbeat{At: now.Add(-20 * time.Minute), NextPoll: now.Add(-2 * time.Minute), OutageSince: now.Add(-30 * time.Minute), LastError: "HTTP 502"}))
	h = Check(sf, now)
	require.True(t, h.Healthy, "an outage within the planned backoff is healthy")
	require.Contains(t, strings.Join(h.Lines, "\n"), "NetBird API unreachable for 30m0s (not a birdseye fault): HTTP 502")

	// With EVENTS_SOURCE=db the API is not what failed: the line names the store.
	require.NoError(t, WriteHeartbeat(HeartbeatPath(sf), Heartbeat{At: now.Add(-20 * time.Minute), NextPoll: now.Add(-2 * time.Minute), OutageSince: now.Add(-30 * time.Minute), LastError: "read events.db: disk I/O error", Source: SourceStore}))
	lines := strings.Join(Check(sf, now).Lines, "\n")
	require.Contains(t, lines, "NetBird's activity store (EVENTS_DB) unreadable for 30m0s (not a birdseye fault): read events.db: disk I/O error")
	require.NotContains(t, lines, "API")

	h = Check(sf, now.Add(time.Second))
	require.False(t, h.Healthy)
	require.Contains(t, h.Lines[0], "the poll loop is stuck")

	require.NoError(t, os.WriteFile(HeartbeatPath(sf), []byte("{"), 0o600))
	require.False(t, Check(sf, now).Healthy)
}

// readOnlyDir makes dir unwritable even for root (the tests and CI run as
// root): chmod for others, the immutable attribute for root.
func readOnlyDir(t *testing.T, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		require.NoError(t, os.Chmod(dir, 0o500))
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		return
	}
	if out, err := exec.Command("chattr", "+i", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot make a directory read-only for root here (chattr: %v %s)", err, out)
	}
	t.Cleanup(func() { exec.Command("chattr", "-i", dir).Run() })
}

func TestHealthNeedsAWritableStateDirectory(t *testing.T) {
	dir := t.TempDir()
	sf := filepath.Join(dir, "state.json")
	now := time.Now()
	require.NoError(t, WriteHeartbeat(HeartbeatPath(sf), Heartbeat{At: now, NextPoll: now}))
	readOnlyDir(t, dir)
	h := Check(sf, now)
	require.False(t, h.Healthy)
	require.Contains(t, h.Lines[0], "not writable")
}
