package dockerapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// socket is the engine the tests use (DOCKER_HOST, else the default); a
// machine without one skips, CI fails.
func socket(t *testing.T) string {
	t.Helper()
	s := strings.TrimPrefix(os.Getenv("DOCKER_HOST"), "unix://")
	if s == "" {
		s = "/var/run/docker.sock"
	}
	if _, err := os.Stat(s); err != nil || exec.Command("docker", "info").Run() != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no Docker engine at %s in CI", s)
		}
		t.Skip("skipped: no Docker engine reachable (set DOCKER_HOST or start dockerd)")
	}
	return s
}

// busyboxContainer imports an image of busybox alone and runs a container
// of it that sleeps until the test ends.
func busyboxContainer(t *testing.T) string {
	t.Helper()
	busybox, err := exec.LookPath("busybox")
	if err != nil {
		busybox = "/bin/busybox"
	}
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "bin"), 0o755))
	b, err := os.ReadFile(busybox)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(root, "bin", "busybox"), b, 0o755))
	for _, a := range []string{"sh", "cat", "echo", "sleep", "env", "head"} {
		require.NoError(t, os.Symlink("busybox", filepath.Join(root, "bin", a)))
	}
	image := fmt.Sprintf("birdseye-dockerapi-test:%d", time.Now().UnixNano())
	out, err := exec.Command("sh", "-c", fmt.Sprintf("tar -C %s -c . | docker import --change 'ENV PATH=/bin' - %s", root, image)).CombinedOutput()
	require.NoError(t, err, "%s", out)
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", image).Run() })
	name := strings.ReplaceAll(strings.ReplaceAll(image, ":", "-"), "/", "-")
	out, err = exec.Command("docker", "run", "-d", "--name", name, "-e", "POSTGRES_DB=netbird", image, "sleep", "3600").CombinedOutput()
	require.NoError(t, err, "%s", out)
	t.Cleanup(func() { exec.Command("docker", "rm", "-f", name).Run() })
	return name
}

func TestExecRunsACommandWithItsStreamsApartAndItsExitCode(t *testing.T) {
	e := Engine{Socket: socket(t)}
	c := busyboxContainer(t)
	var out, errOut bytes.Buffer
	code, err := e.Exec(t.Context(), c, []string{"sh", "-c", "echo to-stdout; echo to-stderr >&2; echo $WHO; exit 3"}, []string{"WHO=birdseye"}, nil, &out, &errOut)
	require.NoError(t, err)
	require.Equal(t, 3, code)
	require.Equal(t, "to-stdout\nbirdseye\n", out.String())
	require.Equal(t, "to-stderr\n", errOut.String())

	// Input streams in and is closed at its end; 8 MiB come back whole.
	in := make([]byte, 8<<20)
	rand.Read(in)
	out.Reset()
	code, err = e.Exec(t.Context(), c, []string{"cat"}, nil, bytes.NewReader(in), &out, &errOut)
	require.NoError(t, err)
	require.Equal(t, 0, code)
	require.True(t, bytes.Equal(in, out.Bytes()), "the bytes that went in came out")

	env, err := e.Env(t.Context(), c)
	require.NoError(t, err)
	require.Contains(t, env, "POSTGRES_DB=netbird")
}

func TestAContainerThatIsNotThereIsNamedAndAStopCutsACommandShort(t *testing.T) {
	e := Engine{Socket: socket(t)}
	_, err := e.Exec(t.Context(), "no-such-container-here", []string{"true"}, nil, nil, &bytes.Buffer{}, &bytes.Buffer{})
	var de *Error
	require.ErrorAs(t, err, &de)
	require.Equal(t, 404, de.Status)
	require.ErrorContains(t, err, "container no-such-container-here: the Docker engine answered HTTP 404")

	c := busyboxContainer(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := e.Exec(ctx, c, []string{"sleep", "600"}, nil, nil, &bytes.Buffer{}, &bytes.Buffer{})
		done <- err
	}()
	cancel()
	require.Error(t, <-done, "a cancelled run returns instead of waiting for the command")

	_, err = Engine{Socket: filepath.Join(t.TempDir(), "none.sock")}.Env(t.Context(), c)
	require.ErrorContains(t, err, "reach the Docker engine at ")
	require.False(t, errors.As(err, &de))
}

// Requests leave no connection open behind them: a daemon asks the
// engine every backup, for years.
func TestRequestsLeaveNoConnectionOpen(t *testing.T) {
	e := Engine{Socket: socket(t)}
	c := busyboxContainer(t)
	open := func() int {
		fds, err := os.ReadDir("/proc/self/fd")
		require.NoError(t, err)
		return len(fds)
	}
	_, err := e.Env(t.Context(), c) // the runtime's own descriptors settle first
	require.NoError(t, err)
	before := open()
	for range 40 {
		_, err := e.Env(t.Context(), c)
		require.NoError(t, err)
	}
	_, err = e.Exec(t.Context(), c, []string{"true"}, nil, nil, &bytes.Buffer{}, &bytes.Buffer{})
	require.NoError(t, err)
	require.Less(t, open()-before, 5, "one descriptor per request would be 40 more")
}
