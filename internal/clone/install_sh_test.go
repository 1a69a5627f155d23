package clone

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// standbyRun stages the primary, renders install.sh into the payload and
// runs it with bash for one target. docker and sleep are recording stand-ins
// here: this test is about what the script does to files; the real engine
// is the end-to-end test's part.
func standbyRun(t *testing.T, plan StagePlan, tweak func(dir string), target string) (string, string, error) {
	return standbyRunWith(t, plan, tweak, target, "")
}

// standbyRunWith is standbyRun with a docker that fails the commands
// containing failOn.
func standbyRunWith(t *testing.T, plan StagePlan, tweak func(dir string), target, failOn string) (string, string, error) {
	t.Helper()
	_, err := Stage(plan, &bytes.Buffer{})
	require.NoError(t, err)
	if tweak != nil {
		tweak(plan.Dir)
	}
	bin, log := dockerShim(t)
	if failOn != "" {
		require.NoError(t, os.WriteFile(filepath.Join(bin, "docker"), []byte("#!/bin/sh\necho \"docker $*\" >> "+log+"\ncase \"$*\" in *"+failOn+"*) echo 'Error response from daemon: manifest unknown' >&2; exit 1;; esac\n"), 0o755))
	}
	cmd := exec.Command("bash", filepath.Join(plan.Dir, "install.sh"), target)
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	calls, _ := os.ReadFile(log)
	return string(out), string(calls), err
}

func installPlan(t *testing.T) StagePlan {
	_, plan := primary(t)
	standby := t.TempDir()
	plan.Targets = []Target{
		{Name: "hot", Root: filepath.Join(standby, "hot"), Project: "hot", Compose: "docker-compose.yml", Host: "nb2.example.com", Autostart: true, DBDir: "data/netbird"},
		{Name: "cold", Root: filepath.Join(standby, "cold stack"), Project: "cold", Compose: "docker-compose.yml", Host: "nb.example.com", DBDir: "data/netbird"},
	}
	plan.SharedPaths[0].Dest = filepath.Join(standby, "shared", "m.json")
	plan.Failover = plan.Targets[1]
	plan.Keep = 2
	for _, tg := range plan.Targets {
		require.NoError(t, os.MkdirAll(tg.Root, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(tg.Root, "docker-compose.yml"), []byte("services:\n  management:\n    image: netbirdio/management\n"), 0o644))
	}
	return plan
}

func TestInstallScriptInstallsAStoppedStackWithARollbackSnapshot(t *testing.T) {
	plan := installPlan(t)
	cold := plan.Targets[1].Root
	require.NoError(t, os.MkdirAll(filepath.Join(cold, "data", "netbird"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(cold, "data", "netbird", "store.db"), []byte("the standby's old db"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(cold, "data", "netbird", "store.db-wal"), []byte("old wal"), 0o600))

	out, calls, err := standbyRun(t, plan, nil, "cold")
	require.NoError(t, err, out)
	require.Contains(t, out, "payload verified: 1 accounts, 2 peers")
	require.Contains(t, out, "cold installed and left stopped")
	require.Contains(t, calls, "compose -p cold --project-directory "+cold+" -f "+cold+"/docker-compose.yml down --remove-orphans")
	require.NotContains(t, calls, " up -d", "a cold standby is not started")
	require.Contains(t, calls, "pull -q netbirdio/management@sha256:abc")
	require.Contains(t, calls, "tag netbirdio/management@sha256:abc netbirdio/management:latest")

	staged, _ := os.ReadFile(filepath.Join(plan.Dir, "db", "store.db"))
	installed, err := os.ReadFile(filepath.Join(cold, "data", "netbird", "store.db"))
	require.NoError(t, err)
	require.Equal(t, staged, installed)
	require.NoFileExists(t, filepath.Join(cold, "data", "netbird", "store.db-wal"), "a stale WAL would corrupt the new database")
	cfg, _ := os.ReadFile(filepath.Join(cold, "management.json"))
	require.Contains(t, string(cfg), "nb.example.com")
	require.FileExists(t, filepath.Join(cold, "dashboard", "env"))
	require.FileExists(t, plan.SharedPaths[0].Dest)

	snaps, err := filepath.Glob(filepath.Join(cold, "snapshots", "*", "store.db"))
	require.NoError(t, err)
	require.Len(t, snaps, 1)
	old, _ := os.ReadFile(snaps[0])
	require.Equal(t, "the standby's old db", string(old))
}

func TestInstallScriptStartsAHotStackWithItsOwnConfig(t *testing.T) {
	plan := installPlan(t)
	out, calls, err := standbyRun(t, plan, nil, "hot")
	require.NoError(t, err, out)
	hot := plan.Targets[0].Root
	require.Contains(t, calls, "-f "+hot+"/docker-compose.yml up -d")
	cfg, _ := os.ReadFile(filepath.Join(hot, "management.json"))
	require.Contains(t, string(cfg), "nb2.example.com")
	require.NotContains(t, string(cfg), "nb.example.com")
}

func TestInstallScriptRefusesADamagedPayloadBeforeTouchingAnything(t *testing.T) {
	plan := installPlan(t)
	out, calls, err := standbyRun(t, plan, func(dir string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "db", "store.db"), []byte("truncated"), 0o600))
	}, "cold")
	require.Error(t, err)
	require.Contains(t, out, "payload is damaged")
	require.Contains(t, out, "db/store.db")
	require.False(t, strings.Contains(calls, "down"), "the stack is not stopped for a damaged payload")
	require.NoDirExists(t, filepath.Join(plan.Targets[1].Root, "data"))
}

func TestInstallScriptNamesTheTargetsOnAnUnknownOne(t *testing.T) {
	plan := installPlan(t)
	out, _, err := standbyRun(t, plan, nil, "warm")
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	require.Equal(t, 2, exit.ExitCode())
	require.Contains(t, out, "usage: install.sh <hot|cold>")
}

func TestInstallScriptKeepsTheNewestSnapshots(t *testing.T) {
	plan := installPlan(t)
	cold := plan.Targets[1].Root
	for _, s := range []string{"20250101-000000", "20250102-000000", "20250103-000000"} {
		require.NoError(t, os.MkdirAll(filepath.Join(cold, "snapshots", s), 0o700))
	}
	out, _, err := standbyRun(t, plan, nil, "cold")
	require.NoError(t, err, out)
	left, _ := filepath.Glob(filepath.Join(cold, "snapshots", "*"))
	require.Len(t, left, 2, "CLONE_KEEP_SNAPSHOTS=2: the new one and the newest old one")
	require.Equal(t, "20250103-000000", filepath.Base(left[0]))
}

func TestInstallScriptNeedsAtLeastOneSnapshot(t *testing.T) {
	_, err := InstallScript{Keep: 0}.Render()
	require.EqualError(t, err, "CLONE_KEEP_SNAPSHOTS must be at least 1, got 0")
}

// dockerShim is a directory for PATH with a docker that records its
// arguments and a sleep that returns at once.
func dockerShim(t *testing.T) (bin, log string) {
	t.Helper()
	bin = t.TempDir()
	log = filepath.Join(bin, "docker.log")
	require.NoError(t, os.WriteFile(filepath.Join(bin, "docker"), []byte("#!/bin/sh\necho \"docker $*\" >> "+log+"\n"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(bin, "sleep"), []byte("#!/bin/sh\n"), 0o755))
	return bin, log
}

func TestInstallScriptThatCannotPullChangesNothing(t *testing.T) {
	plan := installPlan(t)
	out, calls, err := standbyRunWith(t, plan, nil, "hot", "pull")
	require.Error(t, err)
	require.Contains(t, out, "cannot pull netbirdio/management@sha256:abc; nothing was changed")
	require.NotContains(t, calls, "down", "the running stack is left alone")
	require.NoDirExists(t, filepath.Join(plan.Targets[0].Root, "data"), "nothing installed")
}

// install.sh run by hand on a target failover.sh made live refuses (exit
// 3: nothing changed), unless BIRDSEYE_AFTER_FAILOVER=yes; a missing
// compose file is refused too, before the stack is touched.
func TestInstallScriptLeavesALiveTargetAndAMissingComposeFileAlone(t *testing.T) {
	plan := installPlan(t)
	cold := plan.Targets[1].Root
	require.NoError(t, os.WriteFile(filepath.Join(cold, LiveMark), []byte("2026-12-05T15:00:00Z\n"), 0o600))
	out, calls, err := standbyRun(t, plan, nil, "cold")
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	require.Equal(t, 3, ee.ExitCode())
	require.Contains(t, out, "cold is the live server since 2026-12-05T15:00:00Z (failover.sh ran there): not replaced; nothing was changed")
	require.NotContains(t, calls, "down")

	require.NoError(t, os.Remove(filepath.Join(cold, LiveMark)))
	require.NoError(t, os.Remove(filepath.Join(cold, "docker-compose.yml")))
	out, calls, err = standbyRun(t, plan, nil, "cold")
	require.ErrorAs(t, err, &ee)
	require.Equal(t, 3, ee.ExitCode())
	require.Contains(t, out, "no compose file "+cold+"/docker-compose.yml: nothing was changed")
	require.NotContains(t, calls, "down")
}

// A pinned image gets the tag the primary runs it as, so the standby's
// compose file, which names that tag, starts the same version.
func TestInstallScriptTagsThePinnedImageAsThePrimaryRunsIt(t *testing.T) {
	plan := installPlan(t)
	plan.ImageTags = map[string]string{"netbirdio/management": "0.77.1"}
	out, calls, err := standbyRun(t, plan, nil, "cold")
	require.NoError(t, err, out)
	require.Contains(t, calls, "tag netbirdio/management@sha256:abc netbirdio/management:0.77.1")
	require.NotContains(t, calls, "netbirdio/management:latest")
}
