package clone

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/sshremote"
	"github.com/styliteag/birdseye/internal/sshremote/sshtest"
)

func dialStandby(t *testing.T) *sshremote.Client {
	t.Helper()
	// The standby's docker is the shim that records its calls: these tests
	// are of birdseye's side; the Docker engine's are end-to-end
	// (cmd/birdseye, clonetest).
	bin, _ := dockerShim(t)
	s := sshtest.Start(t, "SetEnv PATH="+bin+":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
	c, err := sshremote.Dial(context.Background(), sshremote.Config{
		Host: "root@127.0.0.1", Port: s.Port, KeyFile: s.ClientKey,
		KnownHosts: filepath.Join(t.TempDir(), "known_hosts"), Strict: sshremote.StrictAcceptNew,
	})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

func TestPushSendsOnlyChangesDeletesTheUnstagedAndVerifiesOnTheStandby(t *testing.T) {
	c := dialStandby(t)
	_, plan := primary(t)
	_, err := Stage(plan, &bytes.Buffer{})
	require.NoError(t, err)
	remote := filepath.Join(t.TempDir(), "standby", "incoming")
	require.NoError(t, os.MkdirAll(filepath.Join(remote, "old"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(remote, "old", "gone.db"), []byte("stale"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(remote, PayloadMark), nil, 0o600)) // an earlier payload

	st, err := Push(context.Background(), c, plan.Dir, remote)
	require.NoError(t, err)
	require.Equal(t, st.Files, st.Transferred, "a first push sends everything")
	require.Equal(t, 1, st.Deleted)
	require.NoDirExists(t, filepath.Join(remote, "old"), "emptied directories go too")
	_, problems, err := VerifyManifest(remote)
	require.NoError(t, err)
	require.Empty(t, problems)
	fi, err := os.Stat(filepath.Join(remote, "db", "store.db"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	// A second stage of an unchanged primary sends only what carries the
	// time: the manifest and its sums.
	plan.Now = plan.Now.Add(3600e9)
	_, err = Stage(plan, &bytes.Buffer{})
	require.NoError(t, err)
	st, err = Push(context.Background(), c, plan.Dir, remote)
	require.NoError(t, err)
	require.Equal(t, 2, st.Transferred, "only MANIFEST.json and SHA256SUMS")
	var out bytes.Buffer
	st.Text(&out)
	require.Contains(t, out.String(), "Number of regular files transferred: 2 of ")
}

func TestPushRefusesAPayloadThatArrivesDamaged(t *testing.T) {
	c := dialStandby(t)
	_, plan := primary(t)
	_, err := Stage(plan, &bytes.Buffer{})
	require.NoError(t, err)
	// Damage the staged copy after its sums were taken: the standby's
	// sha256sum -c must catch it, and the push must say so.
	require.NoError(t, os.WriteFile(filepath.Join(plan.Dir, "images.txt"), []byte("tampered\n"), 0o600))
	_, err = Push(context.Background(), c, plan.Dir, filepath.Join(t.TempDir(), "incoming"))
	require.ErrorContains(t, err, "does not match its checksums after the push")
	require.ErrorContains(t, err, "images.txt")
}

// A standby without room for the payload and the install it leads to is
// refused before anything is sent (a 16 KiB tmpfs as the payload
// directory), naming what is free and what is needed.
func TestPushRefusesAStandbyWithoutRoomBeforeSendingAnything(t *testing.T) {
	c := dialStandby(t)
	_, plan := primary(t)
	_, err := Stage(plan, &bytes.Buffer{})
	require.NoError(t, err)
	remote := filepath.Join(t.TempDir(), "incoming")
	require.NoError(t, os.MkdirAll(remote, 0o700))
	if res, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", remote).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, res)
	}
	t.Cleanup(func() { exec.Command("umount", remote).Run() })
	_, err = Push(context.Background(), c, plan.Dir, remote)
	require.ErrorContains(t, err, "MB free in "+remote+"; this push needs")
	require.ErrorContains(t, err, "free some space there first")
	entries, err := os.ReadDir(remote)
	require.NoError(t, err)
	require.Empty(t, entries, "nothing sent")
}

// Push prunes what it did not stage, so it refuses a directory that is
// not a payload (CLONE_PAYLOAD_DIR=/opt by mistake) and touches nothing;
// a payload whose push was cut short (marked, no manifest) is pushed again.
func TestPushRefusesADirectoryThatIsNotAPayload(t *testing.T) {
	c := dialStandby(t)
	_, plan := primary(t)
	_, err := Stage(plan, &bytes.Buffer{})
	require.NoError(t, err)
	remote := filepath.Join(t.TempDir(), "opt")
	require.NoError(t, os.MkdirAll(filepath.Join(remote, "netbird"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(remote, "netbird", "docker-compose.yml"), []byte("services: {}\n"), 0o644))
	_, err = Push(context.Background(), c, plan.Dir, remote)
	require.ErrorContains(t, err, "CLONE_PAYLOAD_DIR "+remote+" on the standby holds 1 files and is not a birdseye payload")
	require.FileExists(t, filepath.Join(remote, "netbird", "docker-compose.yml"))
	require.NoFileExists(t, filepath.Join(remote, PayloadMark))

	cut := filepath.Join(t.TempDir(), "incoming")
	require.NoError(t, os.MkdirAll(filepath.Join(cut, "db"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(cut, PayloadMark), nil, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(cut, "db", "half.db"), []byte("cut short"), 0o600))
	st, err := Push(context.Background(), c, plan.Dir, cut)
	require.NoError(t, err)
	require.Equal(t, 1, st.Deleted, "the half-sent file goes")
	require.FileExists(t, filepath.Join(cut, PayloadMark), "the mark stays")
}
