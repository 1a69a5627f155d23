package state

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// kill -9 between CreateTemp and the rename leaves a temporary file; 100
// kills left 23. The next daemon removes its own kind, and only those old
// enough not to be another process's write in flight.
func TestSweepRemovesOldTemporaryFilesOnly(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	old, recent := now.Add(-10*time.Minute), now.Add(-5*time.Second)
	files := map[string]time.Time{
		".state.json.tmp-123456":                    old,
		".watch.json.tmp-99":                        old,
		"outboxes/webhook/.000000000042.seg.tmp-77": old,
		".healthcheck-4242":                         old,
		".state.json.tmp-555":                       recent, // a write in flight
		"state.json":                                old,
		".state.json.tmp-notdigits":                 old, // not a name birdseye makes
		"my.tmp-1":                                  old, // not hidden: not birdseye's
	}
	for name, mt := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
		require.NoError(t, os.WriteFile(p, []byte("x"), 0o600))
		require.NoError(t, os.Chtimes(p, mt, mt))
	}
	n, err := Sweep(dir, now)
	require.NoError(t, err)
	require.Equal(t, 4, n)
	for name := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		switch name {
		case ".state.json.tmp-123456", ".watch.json.tmp-99", "outboxes/webhook/.000000000042.seg.tmp-77", ".healthcheck-4242":
			require.True(t, os.IsNotExist(err), name)
		default:
			require.NoError(t, err, name)
		}
	}
}
