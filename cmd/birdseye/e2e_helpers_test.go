package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/fake"
)

// binPath is the birdseye binary the end-to-end tests run, built once.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "birdseye-e2e-")
	if err != nil {
		panic(err)
	}
	binPath = filepath.Join(dir, "birdseye")
	// Under `make race` the daemon is built with the race detector too, so
	// that every end-to-end run also checks the product for data races.
	args, cgo := []string{"build", "-o", binPath}, "0"
	if raceDetector {
		args, cgo = append(args, "-race"), "1"
	}
	build := exec.Command("go", append(args, ".")...)
	build.Env = append(os.Environ(), "CGO_ENABLED="+cgo)
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build birdseye: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// daemon is one run of the real binary.
type daemon struct {
	t      *testing.T
	cmd    *exec.Cmd
	mu     sync.Mutex
	lines  []string
	stderr bytes.Buffer
	done   chan struct{}
	err    error
}

// baseEnv is a fast, isolated configuration against a fake API.
func baseEnv(t *testing.T, srv *httptest.Server, stateFile string, extra ...string) []string {
	t.Helper()
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"NB_URL=" + srv.URL,
		"NB_API_KEY=" + fake.AuditorToken,
		"STATE_FILE=" + stateFile,
		"POLL_INTERVAL=0.05",
		"BACKOFF_CAP_SECONDS=0.2",
		"TZ=UTC",
		"WATCH=off",        // its birdseye.* lines would be counted as events; TestE2EWatch* turn it on
		"CHANGE_DIFFS=off", // its snapshot requests would take failures meant for the poll; TestE2EAPolicyUpdate* turns it on
	}
	return append(env, extra...)
}

func start(t *testing.T, env []string, args ...string) *daemon {
	t.Helper()
	if len(args) == 0 {
		args = []string{"run"}
	}
	return startAs(t, nil, env, args...)
}

// startAs starts the binary with attr (e.g. another user's credentials)
// and exactly these arguments (none is none, not `run`).
func startAs(t *testing.T, attr *syscall.SysProcAttr, env []string, args ...string) *daemon {
	t.Helper()
	d := &daemon{t: t, cmd: exec.Command(binPath, args...), done: make(chan struct{})}
	d.cmd.Env = noReleaseSource(env)
	d.cmd.SysProcAttr = attr
	d.cmd.Dir = t.TempDir() // no stray .env
	// Another user must get to the binary and its directory.
	if attr != nil {
		for _, p := range []string{d.cmd.Dir, filepath.Dir(d.cmd.Dir), filepath.Dir(binPath)} {
			require.NoError(t, os.Chmod(p, 0o755))
		}
	}
	out, err := d.cmd.StdoutPipe()
	require.NoError(t, err)
	d.cmd.Stderr = &lockedWriter{mu: &d.mu, w: &d.stderr}
	require.NoError(t, d.cmd.Start())
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			d.mu.Lock()
			d.lines = append(d.lines, sc.Text())
			d.mu.Unlock()
		}
		io.Copy(io.Discard, out)
		d.err = d.cmd.Wait()
		close(d.done)
	}()
	t.Cleanup(func() {
		d.cmd.Process.Kill()
		<-d.done
		if raceDetector && strings.Contains(d.logs(), "WARNING: DATA RACE") {
			t.Errorf("the daemon had a data race:\n%s", d.logs())
		}
	})
	return d
}

// noReleaseSource keeps the update check from asking the internet for NetBird's
// newest release: a test that wants a release source sets its own.
func noReleaseSource(env []string) []string {
	for _, kv := range env {
		if strings.HasPrefix(kv, "UPDATE_SOURCE_URL=") {
			return env
		}
	}
	return append(slices.Clip(env), "UPDATE_SOURCE_URL=off")
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (d *daemon) stdout() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.lines...)
}

func (d *daemon) logs() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stderr.String()
}

// hangGuard ends a wait that will never end. It measures nothing: on a
// loaded machine (2 shared CPUs, a Docker engine busy beside the test) a
// clone refresh took over 20 s, so it is long.
const hangGuard = 3 * time.Minute

// waitFor polls cond; the deadline only guards against a hang, it does not
// measure speed.
func (d *daemon) waitFor(what string, cond func() bool) {
	d.t.Helper()
	deadline := time.Now().Add(hangGuard)
	for !cond() {
		if time.Now().After(deadline) {
			d.t.Fatalf("timed out waiting for %s\nstdout:\n%s\nstderr:\n%s", what, strings.Join(d.stdout(), "\n"), d.logs())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (d *daemon) waitLog(s string) {
	d.t.Helper()
	d.waitFor("log "+s, func() bool { return strings.Contains(d.logs(), s) })
}

// waitExit waits for the process to end and returns its exit code.
func (d *daemon) waitExit() int {
	d.t.Helper()
	select {
	case <-d.done:
	case <-time.After(hangGuard):
		d.t.Fatalf("process did not exit\nstderr:\n%s", d.logs())
	}
	return d.cmd.ProcessState.ExitCode()
}

func (d *daemon) signal(sig syscall.Signal) {
	require.NoError(d.t, d.cmd.Process.Signal(sig))
}

var targetRe = regexp.MustCompile(`target=id-(\d+)`)

// ids extracts the ids of test events (target_id "id-<id>") from stdout lines.
func ids(lines []string) []int {
	var out []int
	for _, l := range lines {
		if m := targetRe.FindStringSubmatch(l); m != nil {
			var n int
			fmt.Sscan(m[1], &n)
			out = append(out, n)
		}
	}
	return out
}

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// waitMorePolls waits until the fake has answered n more requests to path.
func waitMorePolls(d *daemon, f *fake.Server, path string, n int) {
	count := func() int {
		c := 0
		for _, r := range f.Requests() {
			if r.Path == path {
				c++
			}
		}
		return c
	}
	from := count()
	d.waitFor(fmt.Sprintf("%d more requests to %s", n, path), func() bool { return count() >= from+n })
}
