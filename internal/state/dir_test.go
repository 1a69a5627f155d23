package state

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestClaimMakesTheDirectoryAndHoldsItAgainstASecondDaemon(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	lock, err := Claim(dir)
	require.NoError(t, err)
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), fi.Mode().Perm())

	_, err = Claim(dir)
	require.ErrorIs(t, err, ErrUnusable)
	require.ErrorContains(t, err, "another birdseye daemon (pid ")

	lock.Release()
	again, err := Claim(dir)
	require.NoError(t, err, "free once the first lets go")
	again.Release()
}

func TestClaimNamesAPathThatIsNotADirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err := Claim(filepath.Join(file, "state"))
	require.ErrorIs(t, err, ErrUnusable)
	require.ErrorContains(t, err, file)
	require.ErrorContains(t, err, "a file is in its way")
	require.ErrorContains(t, err, "fix: set STATE_FILE to a file in a directory")
	require.NotContains(t, err.Error(), "chown", "the owner is not the problem here")
}

// A state directory on a read-only file system, or whose parent is
// missing, gets the fix for that, not the ownership fix (and no garbled
// "is on a read-only file system by birdseye").
func TestTheFixMatchesTheCause(t *testing.T) {
	ro := unusable("/var/lib/birdseye", "/var/lib/birdseye/state.json", &os.PathError{Op: "open", Path: "x", Err: syscall.EROFS})
	require.ErrorContains(t, ro, "/var/lib/birdseye/state.json is on a read-only file system;")
	require.ErrorContains(t, ro, "fix: mount the state volume read-write")
	require.NotContains(t, ro.Error(), "chown")
	require.NotContains(t, ro.Error(), "by birdseye")
	gone := unusable("/var/lib/birdseye", "/var/lib/birdseye", &os.PathError{Op: "mkdir", Path: "x", Err: syscall.ENOENT})
	require.ErrorContains(t, gone, "does not exist and cannot be made")
	require.ErrorContains(t, gone, "fix: mount a volume at /var/lib/birdseye")
	require.NotContains(t, gone.Error(), "chown")
}
