package state

import (
	"os"
	"path/filepath"
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
	require.ErrorContains(t, err, "fix: chown -R")
}
