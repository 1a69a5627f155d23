package clone

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// Two birdseye instances (their own state directories, so their own local
// locks) acting on one standby are serialised there: the second is refused
// naming the first, and gets the lock once it is let go, or once the first
// one's connection is gone.
func TestTheStandbysOwnLockSerialisesTwoBirdseyes(t *testing.T) {
	if _, err := os.Stat("/usr/bin/flock"); err != nil {
		t.Skip("skipped: no flock (util-linux) here")
	}
	c1, c2 := dialStandby(t), dialStandby(t)
	o := Options{Payload: filepath.Join(t.TempDir(), "standby", "incoming")}
	var notes bytes.Buffer
	release, err := o.Lock(context.Background(), c1, &notes)
	require.NoError(t, err)
	require.Empty(t, notes.String())

	_, err = o.Lock(context.Background(), c2, &notes)
	require.ErrorContains(t, err, "another birdseye is acting on the standby (")
	require.ErrorContains(t, err, "nothing was done")
	host, _ := os.Hostname()
	require.ErrorContains(t, err, host+" pid ", "the holder is named")

	release()
	release2, err := o.Lock(context.Background(), c2, &notes)
	require.NoError(t, err, "free once let go")

	// A holder whose connection is gone holds nothing.
	c3 := dialStandby(t)
	c2.Close()
	_ = release2
	release3, err := o.Lock(context.Background(), c3, &notes)
	require.NoError(t, err)
	release3()
}

// A clone command run before the daemon ever made the state directory
// makes it, as the daemon would (it failed: open …/clone.lock: no such file).
func TestTheLocalLockMakesTheStateDirectory(t *testing.T) {
	o := Options{LockFile: filepath.Join(t.TempDir(), "not", "yet", "clone.lock")}
	release, err := o.Exclusive()
	require.NoError(t, err)
	release()
	fi, err := os.Stat(filepath.Dir(o.LockFile))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
}
