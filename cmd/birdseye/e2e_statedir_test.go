package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// nobody runs the daemon as another user than the test's root, as the image
// runs birdseye as 65532 on a volume the Python image left to root.
var nobody = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}

// A state volume of the Python image: root-owned, 0644. The daemon refuses
// to start (it could not save its cursor, so every restart would repeat),
// names the file, its owner and mode, its own uid and the fix; after
// `state fix-owner` it resumes from the Python tool's cursor with no repeat.
func TestE2EAStateDirectoryTheDaemonCannotWriteIsFatalUntilFixOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to start the daemon as another user")
	}
	f, srv := newAPI(t)
	f.AddN(10, "policy.update", "p")
	root := t.TempDir()
	require.NoError(t, os.Chmod(root, 0o755))
	require.NoError(t, os.Chmod(filepath.Dir(root), 0o755))
	require.NoError(t, os.Chmod(filepath.Dir(binPath), 0o755))
	dir := filepath.Join(root, "birdseye")
	require.NoError(t, os.Mkdir(dir, 0o755))
	sf := filepath.Join(dir, "state.json")
	require.NoError(t, os.WriteFile(sf, []byte(`{"last_id": 7, "outage_started": null, "outage_alerted": false}`), 0o644))
	env := baseEnv(t, srv, sf)

	d := startAs(t, nobody, env, "run")
	require.Equal(t, 2, d.waitExit())
	logs := d.logs()
	require.Contains(t, logs, dir)
	require.Contains(t, logs, "(owner 0:0, mode 0755) cannot be written by birdseye (uid 65534)")
	require.Contains(t, logs, "every restart would send the same events again")
	require.Contains(t, logs, "fix: chown -R 65534:65534 "+dir)
	require.Empty(t, d.stdout(), "nothing forwarded that could not be remembered")

	// The directory is writable but the Python tool's file is not.
	require.NoError(t, os.Chown(dir, 65534, 65534))
	d = startAs(t, nobody, env, "run")
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), sf+" (owner 0:0, mode 0644) cannot be written by birdseye (uid 65534)")

	fix := start(t, env, "state", "fix-owner", "--uid", "65534", "--gid", "65534")
	require.Equal(t, 0, fix.waitExit(), fix.logs())
	out := strings.Join(fix.stdout(), "\n")
	require.Contains(t, out, sf+": owner 0:0 -> 65534:65534, mode 0644 -> 0600")
	require.Contains(t, out, dir+": mode 0755 -> 0700")

	d = startAs(t, nobody, env, "run")
	d.waitFor("3 events", func() bool { return len(d.stdout()) == 3 })
	require.Equal(t, []int{8, 9, 10}, ids(d.stdout()), "resumed from the Python tool's last_id, nothing repeated")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
	require.NotContains(t, d.logs(), "heartbeat not written")
	require.NotContains(t, d.logs(), "state not saved")
}

func TestE2EStateFixOwnerNeedsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to start the command as another user")
	}
	_, srv := newAPI(t)
	d := startAs(t, nobody, baseEnv(t, srv, filepath.Join(t.TempDir(), "state.json")), "state", "fix-owner")
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), "state fix-owner changes owners and needs root")
}

func TestE2EASecondDaemonOnTheSameStateRefusesToStart(t *testing.T) {
	f, srv := newAPI(t)
	f.AddN(1, "group.add", "g")
	sf := filepath.Join(t.TempDir(), "state.json")
	env := baseEnv(t, srv, sf)
	first := start(t, env)
	first.waitLog("first boot")
	second := start(t, env)
	require.Equal(t, 2, second.waitExit())
	require.Contains(t, second.logs(), "another birdseye daemon (pid ")
	require.Contains(t, second.logs(), "uses the state directory "+filepath.Dir(sf))
	f.AddN(2, "policy.update", "p")
	first.waitFor("2 events", func() bool { return len(first.stdout()) == 2 })
	require.Empty(t, second.stdout())
	first.signal(syscall.SIGTERM)
	require.Equal(t, 0, first.waitExit())
	// The lock goes with the daemon: the next one starts.
	third := start(t, env)
	third.waitLog("resuming")
	third.signal(syscall.SIGTERM)
	require.Equal(t, 0, third.waitExit())
}

func TestE2ENoHeartbeatWarningOnAFirstBootIntoANewDirectory(t *testing.T) {
	f, srv := newAPI(t)
	f.AddN(1, "group.add", "g")
	sf := filepath.Join(t.TempDir(), "new", "deeper", "state.json")
	d := start(t, baseEnv(t, srv, sf))
	d.waitLog("first boot: seeded")
	_, err := os.Stat(sf)
	require.NoError(t, err, "seeded means on disk")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
	require.NotContains(t, d.logs(), "heartbeat not written")
}
