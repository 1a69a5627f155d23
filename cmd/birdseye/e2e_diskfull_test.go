package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/state"
)

// A full disk under the state directory (a 64 KiB tmpfs): saving the cursor
// fails with a clear error, the state file on disk stays the last good one,
// and once there is room again the cursor is saved and nothing repeats.
func TestE2EADiskFullStateDirectory(t *testing.T) {
	dir := smallDisk(t)

	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	sf := filepath.Join(dir, "state.json")
	d := start(t, baseEnv(t, api, sf, "POLL_INTERVAL=0.1"))
	d.waitLog("first boot")

	fill(t, filepath.Join(dir, "filler"))

	f.AddN(3, "policy.update", "p")
	d.waitFor("the events", func() bool { return len(d.stdout()) == 3 })
	d.waitLog("state not saved")
	require.Contains(t, d.logs(), "no space left on device")
	st, err := state.File{Path: sf}.Load()
	require.NoError(t, err, "the state file is the last good one, not a torn one")
	require.Equal(t, 1, int(st.Cursor.LastID))

	require.NoError(t, os.Remove(filepath.Join(dir, "filler")))
	d.waitFor("the cursor saved", func() bool {
		st, err := state.File{Path: sf}.Load()
		return err == nil && st.Cursor.LastID == 4
	})
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())

	d = start(t, baseEnv(t, api, sf, "POLL_INTERVAL=0.1"))
	d.waitLog("resuming last_id=4")
	f.AddN(1, "user.block", "u")
	d.waitFor("the next event", func() bool { return len(d.stdout()) == 1 })
	require.Equal(t, []int{5}, ids(d.stdout()), "nothing repeated")
}

// An outbox that cannot be written (disk full): the batch is offered again
// every poll, and stdout must still print each event once, not every poll.
func TestE2EAnOutboxWriteFailureDoesNotMakeStdoutRepeat(t *testing.T) {
	dir := smallDisk(t)

	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	mm, hookURL := newMattermost(t)
	d := start(t, baseEnv(t, api, filepath.Join(dir, "state.json"), "POLL_INTERVAL=0.05", "MATTERMOST_WEBHOOK_URL="+hookURL))
	d.waitLog("first boot")
	fill(t, filepath.Join(dir, "filler"))

	f.AddN(3, "policy.update", "p")
	d.waitFor("ten failed polls", func() bool { return strings.Count(d.logs(), "events not delivered; retrying next poll") >= 10 })
	require.Contains(t, d.logs(), "no space left on device")
	require.Empty(t, d.stdout(), "not printed while the outbox cannot take it")

	require.NoError(t, os.Remove(filepath.Join(dir, "filler")))
	d.waitFor("the events", func() bool { return len(d.stdout()) == 3 })
	waitPosts(t, d, mm, 1)
	time.Sleep(300 * time.Millisecond) // a few more polls
	require.Equal(t, []int{2, 3, 4}, ids(d.stdout()), "each event printed once")
}

// smallDisk is a directory on a 64 KiB tmpfs of its own, for a disk that
// fills; the test is skipped where mounting is not allowed.
func smallDisk(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "state")
	require.NoError(t, os.MkdirAll(dir, 0o700))
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	return dir
}

func fill(t *testing.T, path string) {
	t.Helper()
	filler, err := os.Create(path)
	require.NoError(t, err)
	defer filler.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := filler.Write(chunk); err != nil {
			require.True(t, errors.Is(err, syscall.ENOSPC), err)
			return
		}
	}
}
