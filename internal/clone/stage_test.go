package clone

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// primary lays out a NetBird host as the container sees it.
func primary(t *testing.T) (string, StagePlan) {
	t.Helper()
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "data"), 0o700))
	store(t, filepath.Join(root, "data", "store.db"), map[string]int{"accounts": 1, "peers": 2})
	require.NoError(t, os.WriteFile(filepath.Join(root, "management.json"), []byte(`{"HttpConfig":{"AuthIssuer":"https://nb.example.com/oauth2"},"Relay":"rels://nb.example.com:443"}`), 0o600))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "dashboard"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(root, "dashboard", "env"), []byte("X=1\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(root, "acme.json"), []byte(`{"le":{"Certificates":[]}}`), 0o600))
	plan := StagePlan{
		Dir:         filepath.Join(t.TempDir(), "stage"),
		Primary:     "nb.example.com",
		DBPaths:     []string{filepath.Join(root, "data", "store.db")},
		ConfigFiles: []string{filepath.Join(root, "management.json")},
		TargetPaths: []Path{{Local: filepath.Join(root, "dashboard"), Dest: "dashboard", Mode: Sync}},
		SharedPaths: []Path{{Local: filepath.Join(root, "management.json"), Dest: "/opt/shared/m.json", Mode: Seed}},
		ACMESource:  filepath.Join(root, "acme.json"),
		Targets: []Target{
			{Name: "hot", Root: "/opt/hot", Host: "nb2.example.com", Autostart: true},
			{Name: "cold", Root: "/opt/cold", Host: "nb.example.com"},
		},
		MinRows:    map[string]int{"accounts": 1, "peers": 1},
		Images:     map[string]string{"netbirdio/management": "sha256:abc"},
		SourceHost: "primary-host",
		Now:        time.Date(2026, 11, 29, 3, 0, 0, 0, time.UTC),
		Keep:       3,
	}
	plan.Failover = plan.Targets[1]
	return root, plan
}

func TestStageBuildsAPayloadTheStandbyCanCheckAlone(t *testing.T) {
	_, plan := primary(t)
	var out bytes.Buffer
	m, err := Stage(plan, &out)
	require.NoError(t, err)
	require.Contains(t, out.String(), "holds: 1 accounts, 2 peers")
	require.Equal(t, map[string]string{"hot": "/opt/hot", "cold": "/opt/cold"}, m.Targets)
	for _, f := range []string{"db/store.db", "files/management.json", "files-hot/management.json", "target/0/env", "shared/0", "acme.json", "images.txt", "install.sh", "failover.sh"} {
		require.Contains(t, m.Files, f)
	}
	require.NotContains(t, m.Files, "files-cold/management.json", "a stack answering for the primary's name uses the shared copy")
	hot, err := os.ReadFile(filepath.Join(plan.Dir, "files-hot", "management.json"))
	require.NoError(t, err)
	require.NotContains(t, string(hot), "nb.example.com")
	require.Contains(t, string(hot), "rels://nb2.example.com:443")
	images, err := os.ReadFile(filepath.Join(plan.Dir, "images.txt"))
	require.NoError(t, err)
	require.Equal(t, "netbirdio/management sha256:abc\n", string(images))
	require.Equal(t, []PathEntry{{Staged: "target/0", Dest: "dashboard", Mode: Sync, Dir: true}}, m.TargetPaths)
	require.Equal(t, []PathEntry{{Staged: "shared/0", Dest: "/opt/shared/m.json", Mode: Seed}}, m.SharedPaths)
	fi, err := os.Stat(filepath.Join(plan.Dir, "shared", "0"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o644), fi.Mode().Perm(), "shared assets are readable by the stacks")

	var onDisk Manifest
	b, err := os.ReadFile(filepath.Join(plan.Dir, ManifestName))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &onDisk))
	require.Equal(t, "2026-11-29T03:00:00Z", onDisk.Created)
	if sha, err := exec.LookPath("sha256sum"); err == nil {
		cmd := exec.Command(sha, "--quiet", "-c", SumsName)
		cmd.Dir = plan.Dir
		o, err := cmd.CombinedOutput()
		require.NoError(t, err, string(o))
	}
}

func TestStageWipesWhatAnEarlierRunLeft(t *testing.T) {
	_, plan := primary(t)
	require.NoError(t, os.MkdirAll(filepath.Join(plan.Dir, "db"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(plan.Dir, "db", "old.db"), []byte("x"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(plan.Dir, ManifestName), []byte("{}"), 0o600)) // an earlier stage's
	m, err := Stage(plan, &bytes.Buffer{})
	require.NoError(t, err)
	require.NotContains(t, m.Files, "db/old.db")
	require.NoFileExists(t, filepath.Join(plan.Dir, "db", "old.db"))
}

func TestStageRefusesMissingSourcesAndAStageDirItWouldCopy(t *testing.T) {
	var root string
	_, plan := primary(t)
	plan.ConfigFiles = append(plan.ConfigFiles, "/nonexistent/turnserver.conf")
	_, err := Stage(plan, &bytes.Buffer{})
	require.EqualError(t, err, "these paths are configured but not present inside the container: /nonexistent/turnserver.conf")

	root, plan = primary(t)
	plan.Dir = filepath.Join(root, "dashboard", "stage")
	_, err = Stage(plan, &bytes.Buffer{})
	require.ErrorContains(t, err, "is inside "+filepath.Join(root, "dashboard")+", which this run has to copy")
	require.FileExists(t, filepath.Join(root, "dashboard", "env"), "nothing is wiped when the plan is refused")

	_, plan = primary(t)
	plan.Dir = "/"
	_, err = Stage(plan, &bytes.Buffer{})
	require.ErrorContains(t, err, "CLONE_STAGE_DIR must be a directory of its own")
}

func TestStageRefusesASnapshotBelowTheMinimumRows(t *testing.T) {
	_, plan := primary(t)
	plan.MinRows = map[string]int{"peers": 5}
	var out bytes.Buffer
	_, err := Stage(plan, &out)
	require.EqualError(t, err, "snapshot fails CLONE_MIN_ROWS: peers=2, expected at least 5")
	require.Contains(t, out.String(), "holds: 1 accounts, 2 peers", "the counts are shown with the refusal")
	require.NoFileExists(t, filepath.Join(plan.Dir, ManifestName), "a refused payload has no manifest, so install refuses it")
}

// The default stage directory is memory in the container; a database
// bigger than it is refused before anything is copied, with the fix (a
// 16 KiB tmpfs as the stage directory's file system).
func TestStageRefusesADirectoryWithoutRoomAndSaysWhereToStage(t *testing.T) {
	_, plan := primary(t)
	fsDir := t.TempDir()
	if res, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", fsDir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, res)
	}
	t.Cleanup(func() { exec.Command("umount", fsDir).Run() })
	plan.Dir = filepath.Join(fsDir, "birdseye-clone-stage")
	big := filepath.Join(t.TempDir(), "big.json") // a configuration of 64 KiB
	require.NoError(t, os.WriteFile(big, bytes.Repeat([]byte("x"), 64<<10), 0o600))
	plan.ConfigFiles = append(plan.ConfigFiles, big)
	_, err := Stage(plan, &bytes.Buffer{})
	require.ErrorContains(t, err, "CLONE_STAGE_DIR ("+plan.Dir+") has 0.0 MB free; the snapshots and copies need about 0.")
	require.ErrorContains(t, err, "e.g. /var/lib/birdseye/clone-stage")
	require.NoDirExists(t, plan.Dir, "nothing copied")
}

// The stage directory is wiped at each stage, so one that holds something
// else (CLONE_STAGE_DIR=/var/lib/birdseye, the state) is refused and left
// alone; an earlier stage, also one cut short, is wiped as before.
func TestStageRefusesToWipeADirectoryThatIsNotAStage(t *testing.T) {
	_, plan := primary(t)
	plan.Dir = t.TempDir()
	state := filepath.Join(plan.Dir, "state.json")
	require.NoError(t, os.WriteFile(state, []byte(`{"last_id": 7}`), 0o600))
	_, err := Stage(plan, &bytes.Buffer{})
	require.ErrorContains(t, err, "CLONE_STAGE_DIR ("+plan.Dir+") holds 1 entries and is not a stage")
	require.FileExists(t, state)

	require.NoError(t, os.Remove(state))
	require.NoError(t, os.WriteFile(filepath.Join(plan.Dir, PayloadMark), nil, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(plan.Dir, "half.db"), []byte("cut short"), 0o600))
	_, err = Stage(plan, &bytes.Buffer{})
	require.NoError(t, err)
	require.NoFileExists(t, filepath.Join(plan.Dir, "half.db"))
	require.FileExists(t, filepath.Join(plan.Dir, PayloadMark))
}
