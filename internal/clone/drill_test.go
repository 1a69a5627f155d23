package clone

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/pkg/sftp"
	"github.com/stretchr/testify/require"
)

// scriptedShell records the commands a drill sends and fails those that
// contain a given text: the drill's order and verdicts, without an engine.
type scriptedShell struct {
	cmds []string
	fail string
}

func (s *scriptedShell) Stream(_ context.Context, cmd string, w io.Writer) error {
	s.cmds = append(s.cmds, cmd)
	if s.fail != "" && strings.Contains(cmd, s.fail) {
		io.WriteString(w, "Cannot connect to the Docker daemon\n")
		return errors.New("bash on standby: exited with status 1")
	}
	return nil
}

func (s *scriptedShell) SFTP() *sftp.Client { return nil }

var cold = Target{Name: "cold", Root: "/opt/cold", Project: "cold", Compose: "docker-compose.yml"}

func faithful(ok bool) VerifyFunc {
	return func(context.Context, Target) *Verification {
		return &Verification{Target: "cold", Faithful: ok, Rows: []Row{{Name: "peers", Primary: "2", Standby: map[bool]string{true: "2", false: "1"}[ok], Same: ok}}}
	}
}

func TestDrillStartsComparesAndStopsAgain(t *testing.T) {
	sh := &scriptedShell{}
	r := Standby{Shell: sh}.Drill(context.Background(), cold, faithful(true), &bytes.Buffer{})
	require.True(t, r.Passed)
	require.True(t, r.Stopped)
	require.Len(t, sh.cmds, 2)
	require.Contains(t, sh.cmds[0], "dc up -d")
	require.Contains(t, sh.cmds[1], "dc down --remove-orphans")
	// The commands are real shell: run them with a recording docker.
	bin, log := dockerShim(t)
	for _, c := range sh.cmds {
		cmd := exec.Command("sh", "-c", c)
		cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
		o, err := cmd.CombinedOutput()
		require.NoError(t, err, string(o))
	}
	calls, err := os.ReadFile(log)
	require.NoError(t, err)
	require.Contains(t, string(calls), "compose -p cold --project-directory /opt/cold -f /opt/cold/docker-compose.yml up -d")
	require.Contains(t, string(calls), "-f /opt/cold/docker-compose.yml down --remove-orphans")
	var out bytes.Buffer
	r.Text(&out, true)
	require.Contains(t, out.String(), "Drill of cold passed.")
}

func TestDrillThatDiffersFailsAndStillStops(t *testing.T) {
	sh := &scriptedShell{}
	r := Standby{Shell: sh}.Drill(context.Background(), cold, faithful(false), &bytes.Buffer{})
	require.False(t, r.Passed)
	require.True(t, r.Stopped)
	var out bytes.Buffer
	r.Text(&out, true)
	require.Contains(t, out.String(), "The clone does NOT match the primary.")
	require.Contains(t, out.String(), "Drill of cold FAILED — see above.")
}

func TestDrillWhoseStackDoesNotStartFailsAndIsStillStopped(t *testing.T) {
	sh := &scriptedShell{fail: "dc up -d"}
	called := false
	r := Standby{Shell: sh}.Drill(context.Background(), cold, func(context.Context, Target) *Verification { called = true; return nil }, &bytes.Buffer{})
	require.False(t, called, "nothing to compare with a stack that did not start")
	require.False(t, r.Passed)
	require.Contains(t, r.Problem, "the stack did not start")
	require.Len(t, sh.cmds, 2, "the down runs anyway")
}

func TestDrillWithoutATokenIsSkippedNeverPassed(t *testing.T) {
	sh := &scriptedShell{}
	r := Standby{Shell: sh}.Drill(context.Background(), cold, nil, &bytes.Buffer{})
	require.False(t, r.Passed)
	require.Empty(t, sh.cmds, "nothing is started for a drill that cannot compare")
	var out bytes.Buffer
	r.Text(&out, true)
	require.Equal(t, "Drill of cold SKIPPED: NB_API_KEY is not set, so the standby cannot be compared with the primary.\n", out.String())
}

func TestDrillOfAHotStandbyLeavesItRunning(t *testing.T) {
	sh := &scriptedShell{}
	hot := cold
	hot.Autostart = true
	r := Standby{Shell: sh}.Drill(context.Background(), hot, faithful(true), &bytes.Buffer{})
	require.True(t, r.Passed)
	require.Len(t, sh.cmds, 1)
	require.False(t, r.Stopped)
}

// A management server that takes a while to open its store is waited for
// (the old fixed 6 s failed a drill on a slow host); one that never
// answers fails the drill after DrillPatience, and the stack is stopped.
func TestDrillWaitsForTheStartedStackToAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		calls := 0
		slow := func(context.Context, Target) *Verification {
			calls++
			if calls < 20 {
				return &Verification{Target: "cold", Problem: "cannot reach it: connection refused"}
			}
			return faithful(true)(t.Context(), cold)
		}
		start := time.Now()
		sh := &scriptedShell{}
		r := Standby{Shell: sh}.Drill(t.Context(), cold, slow, &bytes.Buffer{})
		require.True(t, r.Passed)
		require.Equal(t, 20, calls)
		require.Equal(t, 19*time.Second, time.Since(start), "asked once a second until it answered")

		never := func(context.Context, Target) *Verification {
			return &Verification{Target: "cold", Problem: "API: HTTP 502 — the management server there is not serving"}
		}
		start = time.Now()
		r = Standby{Shell: sh}.Drill(t.Context(), cold, never, &bytes.Buffer{})
		require.False(t, r.Passed)
		require.True(t, r.Stopped)
		require.GreaterOrEqual(t, time.Since(start), DrillPatience)
		require.Less(t, time.Since(start), DrillPatience+2*time.Second)
		require.Equal(t, "API: HTTP 502 — the management server there is not serving", r.Reason())
	})
}
