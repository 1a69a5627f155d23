package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/clone/clonetest"
	"github.com/styliteag/birdseye/internal/sshremote/sshtest"
	"github.com/styliteag/birdseye/internal/state"
)

// cloneWorld is a primary, a standby reached over a real sshd running the
// real Docker engine, and one cold target ("cold") on it.
type cloneWorld struct {
	w       *clonetest.World
	sshd    *sshtest.Server
	root    string // the target's root on the standby
	project string
	env     []string
}

// newCloneWorld puts the cold target's stack on coldIP: StandbyIP, where
// clients reach the standby, or behind an ingress there.
func newCloneWorld(t *testing.T, peers int, coldIP string) *cloneWorld {
	t.Helper()
	w := clonetest.New(t, peers)
	c := &cloneWorld{w: w, sshd: clonetest.SSHD(t), root: filepath.Join(t.TempDir(), "standby", "cold stack"),
		project: "bee2eclone" + strconv.Itoa(w.Port)}
	w.StackOn(t, c.root, c.project, "data/netbird", coldIP)
	config := filepath.Join(filepath.Dir(w.StoreDB), "management.json")
	require.NoError(t, os.WriteFile(config, []byte(`{"HttpConfig":{"LetsEncryptDomain":"127.0.0.1"}}`), 0o600))
	c.env = []string{
		"PATH=" + os.Getenv("PATH"), "TZ=UTC", "STATE_FILE=" + filepath.Join(t.TempDir(), "state.json"),
		"NB_URL=" + w.URL, "NB_API_KEY=" + clonetest.Token,
		"CLONE_SSH_HOST=root@127.0.0.1", "CLONE_SSH_PORT=" + strconv.Itoa(c.sshd.Port), "CLONE_SSH_KEY=" + c.sshd.ClientKey,
		"CLONE_SSH_KNOWN_HOSTS=" + filepath.Join(t.TempDir(), "known_hosts"),
		"CLONE_TARGETS=cold", "CLONE_COLD_ROOT=" + c.root, "CLONE_COLD_PROJECT=" + c.project,
		"CLONE_DB_PATHS=" + w.StoreDB, "CLONE_CONFIG_FILES=" + config,
		"CLONE_STAGE_DIR=" + filepath.Join(t.TempDir(), "stage"), "CLONE_STANDBY_IP=" + clonetest.StandbyIP, "CLONE_CA_FILE=" + w.CA,
	}
	return c
}

// clone runs `birdseye clone <args>` and returns its output and exit code.
func (c *cloneWorld) clone(t *testing.T, args ...string) (string, int) {
	t.Helper()
	d := start(t, c.env, append([]string{"clone"}, args...)...)
	code := d.waitExit()
	return strings.Join(d.stdout(), "\n") + "\n" + d.logs(), code
}

func (c *cloneWorld) installed() string { return filepath.Join(c.root, "data", "netbird", "store.db") }

// The whole life of a standby: staged, installed, drilled against the
// primary through the API (real counts from the installed store), found
// stale after the primary changed, refreshed, failed over to, rolled back.
func TestE2ECloneStageInstallDrillVerifyFailoverRollback(t *testing.T) {
	skipUnderRace(t, "the Docker engine does most of the work")
	// Two stacks behind the standby's ingress, which routes by name as
	// Traefik does: cold answers for the primary's name (127.0.0.1), hot
	// for its own.
	c := newCloneWorld(t, 5, "127.0.0.6")
	// The primary's certificates go into the standby ingress's store.
	ingress, ingressProject := filepath.Join(filepath.Dir(c.root), "traefik"), c.project+"ingress"
	c.w.Ingress(t, ingress, ingressProject, `{"le":{"Account":{"Email":"ops@standby"},"Certificates":[{"domain":{"main":"standby.example.com"},"certificate":"S","key":"S"}]}}`,
		map[string]string{"127.0.0.1": "127.0.0.6", clonetest.HotHost: "127.0.0.4"})
	acme := filepath.Join(filepath.Dir(c.w.StoreDB), "acme.json")
	require.NoError(t, os.WriteFile(acme, []byte(`{"le":{"Account":{"Email":"ops@primary"},"Certificates":[{"domain":{"main":"nb.example.com"},"certificate":"P","key":"P"}]}}`), 0o600))
	c.env = append(c.env, "CLONE_ACME_SOURCE="+acme, "CLONE_ACME_REMOTE="+filepath.Join(ingress, "acme.json"),
		"CLONE_INGRESS_ROOT="+ingress, "CLONE_INGRESS_PROJECT="+ingressProject, "CLONE_COLD_CERT_COPY=true")
	// A hot standby beside it, answering for another name: kept running.
	hot, hotProject := filepath.Join(filepath.Dir(c.root), "hot"), c.project+"hot"
	c.w.StackOn(t, hot, hotProject, "data/netbird", "127.0.0.4")
	c.env = append(c.env, "CLONE_TARGETS=cold,hot", "CLONE_HOT_ROOT="+hot, "CLONE_HOT_PROJECT="+hotProject,
		"CLONE_HOT_AUTOSTART=true", "CLONE_HOT_HOST="+clonetest.HotHost)

	out, code := c.clone(t, "stage")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "store.db")
	require.Contains(t, out, "integrity ok")
	require.Contains(t, out, "Number of regular files transferred")
	require.Contains(t, out, "Staged. Install it with:  birdseye clone install")
	require.FileExists(t, filepath.Join(c.root, "incoming", "MANIFEST.json"), "the payload went to <failover root>/incoming")
	require.FileExists(t, filepath.Join(c.root, "failover.sh"))

	out, code = c.clone(t, "install")
	require.Equal(t, 1, code, "no terminal to answer: not confirmed")
	require.Contains(t, out, "Proceed? [y/N]")
	require.Contains(t, out, "not confirmed: nothing on the standby was changed (give --yes to skip the question)")
	require.NoFileExists(t, c.installed())

	out, code = c.clone(t, "install", "--yes")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "-> cold")
	require.Contains(t, out, "-> hot")
	require.Contains(t, out, "The primary is not touched. Restarts on the standby: hot.")
	require.NotEmpty(t, clonetest.Running(t, hotProject), "the hot standby runs after its install")
	require.Contains(t, out, "== verify hot (kept running)")
	require.Regexp(t, `peers +5 +5 +ok`, out)
	require.Contains(t, out, "Matches the primary.", "the hot standby, through the ingress under its own name")
	require.Equal(t, 5, clonetest.Count(t, filepath.Join(hot, "data", "netbird", "store.db"), "peers"))
	hotConfig, err := os.ReadFile(filepath.Join(hot, "management.json"))
	require.NoError(t, err)
	require.Equal(t, `{"HttpConfig":{"LetsEncryptDomain":"nb2.example.test"}}`, string(hotConfig), "its own name in its copy of the configuration")
	coldConfig, err := os.ReadFile(filepath.Join(c.root, "management.json"))
	require.NoError(t, err)
	require.Contains(t, string(coldConfig), `"127.0.0.1"`, "the failover target answers for the primary's name")
	require.Equal(t, 5, clonetest.Count(t, c.installed(), "peers"))
	require.FileExists(t, filepath.Join(c.root, "management.json"))
	require.Contains(t, out, "certificates in the ingress: nb.example.com, standby.example.com")
	merged, err := os.ReadFile(filepath.Join(ingress, "acme.json"))
	require.NoError(t, err)
	require.Contains(t, string(merged), `"ops@standby"`, "the standby keeps its own ACME account")
	require.Contains(t, string(merged), `"certificate":"P"`)
	require.NotEmpty(t, clonetest.Running(t, ingressProject), "the ingress runs again after the merge")

	out, code = c.clone(t, "drill", "--yes")
	require.Equal(t, 0, code, out)
	require.Regexp(t, `peers +5 +5 +ok`, out)
	require.Contains(t, out, "chain verified against CLONE_CA_FILE")
	require.Contains(t, out, "The clone is faithful — moving the A record would just work.")
	require.Contains(t, out, "Drill of cold passed.")
	require.Empty(t, clonetest.Running(t, c.project), "a cold target is stopped again after the drill")
	require.NotEmpty(t, clonetest.Running(t, hotProject), "the drill of cold leaves the hot standby alone")

	c.w.AddPeer(t, "peer-new")
	out, code = c.clone(t, "drill", "--yes", "-o", "json")
	require.Equal(t, 1, code, out)
	var drill struct {
		Passed   bool   `json:"passed"`
		Reason   string `json:"reason"`
		Verified struct {
			Rows []struct {
				Name, Primary, Standby string
				Same                   bool
			} `json:"rows"`
		} `json:"verification"`
	}
	require.NoError(t, json.Unmarshal([]byte(out[:strings.LastIndex(out, "}")+1]), &drill), out)
	require.False(t, drill.Passed)
	require.Equal(t, "the standby does not match the primary: peers 6 on the primary, 5 on the standby", drill.Reason)
	require.Contains(t, drill.Verified.Rows, struct {
		Name, Primary, Standby string
		Same                   bool
	}{"peers", "6", "5", false})

	// The hot standby, reached at the same address under its own name,
	// has not seen the new peer either.
	out, code = c.clone(t, "verify", "hot")
	require.Equal(t, 1, code, out)
	require.Regexp(t, `peers +6 +5 +DIFFERS`, out)
	require.Contains(t, out, "Does NOT match the primary.")

	out, code = c.clone(t, "run")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "clone refreshed and drill of cold passed; hot matches the primary at")
	require.Equal(t, 6, clonetest.Count(t, c.installed(), "peers"))

	out, code = c.clone(t, "status")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "rollback snapshots: ")
	require.Contains(t, out, "certificates in the ingress: nb.example.com, standby.example.com")
	require.Regexp(t, `ingress:\n  \| .*\n(  \| .*\n)*  \| `+ingressProject+`[-_]traefik[-_]1 .* Up`, out)
	require.Contains(t, out, "ready: cold holds the clone installed")

	out, code = c.clone(t, "failover", "--yes")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "Now point DNS at this host:")
	require.Contains(t, out, "127.0.0.1  A  127.0.0.2")
	require.NotEmpty(t, clonetest.Running(t, c.project), "the failover target runs")
	c.w.WaitStandby(t)
	out, code = c.clone(t, "verify")
	require.Equal(t, 0, code, out)
	require.Regexp(t, `peers +6 +6 +ok`, out)

	// The standby is the live server now: a rollback would stop it and
	// put an older store in its place, losing what was made since.
	out, code = c.clone(t, "rollback", "--yes")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "cold is the live server since")
	require.Equal(t, 6, clonetest.Count(t, c.installed(), "peers"), "nothing changed")
	out, code = c.clone(t, "status")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "LIVE: cold is the live server since")

	out, code = c.clone(t, "rollback", "--yes", "--after-failover")
	require.Equal(t, 0, code, out)
	require.Equal(t, 5, clonetest.Count(t, c.installed(), "peers"), "back to what the install before the last one left")
	require.Contains(t, out, "what it replaces is kept in: ")
}

// What must be refused is refused, naming why, and leaves the standby as
// it was: a payload damaged on the way, a snapshot below CLONE_MIN_ROWS, a
// standby whose host key changed.
func TestE2ECloneRefusesADamagedPayloadASmallSnapshotAndAChangedHostKey(t *testing.T) {
	skipUnderRace(t, "the Docker engine does most of the work")
	c := newCloneWorld(t, 3, clonetest.StandbyIP)
	out, code := c.clone(t, "stage")
	require.Equal(t, 0, code, out)
	out, code = c.clone(t, "install", "--yes")
	require.Equal(t, 0, code, out)
	before, err := os.ReadFile(c.installed())
	require.NoError(t, err)

	staged := filepath.Join(c.root, "incoming", "db", "store.db")
	f, err := os.OpenFile(staged, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	f.WriteString("bit rot")
	f.Close()
	out, code = c.clone(t, "install", "--yes")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "payload is damaged")
	require.Contains(t, out, "db/store.db")
	after, err := os.ReadFile(c.installed())
	require.NoError(t, err)
	require.Equal(t, before, after, "nothing installed from a damaged payload")

	// One action on the standby at a time: the scheduled refresh holds the
	// lock in the state directory while a person tries to install.
	var stateFile string
	for _, kv := range c.env {
		if v, ok := strings.CutPrefix(kv, "STATE_FILE="); ok {
			stateFile = v
		}
	}
	held, _, err := state.TryLock(filepath.Join(filepath.Dir(stateFile), "clone.lock"))
	require.NoError(t, err)
	out, code = c.clone(t, "install", "--yes")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, fmt.Sprintf("another clone action is running (pid %d", os.Getpid()))
	held.Release()

	manifest, err := os.ReadFile(filepath.Join(c.root, "incoming", "MANIFEST.json"))
	require.NoError(t, err)
	c.env = append(c.env, "CLONE_MIN_ROWS=accounts:1,peers:10")
	out, code = c.clone(t, "stage")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "CLONE_MIN_ROWS")
	require.Contains(t, out, "peers")
	now, err := os.ReadFile(filepath.Join(c.root, "incoming", "MANIFEST.json"))
	require.NoError(t, err)
	require.Equal(t, manifest, now, "nothing pushed")

	c.env = append(c.env, "CLONE_MIN_ROWS=accounts:1")
	c.sshd.NewHostKey(t)
	out, code = c.clone(t, "stage")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "has CHANGED")
	require.Contains(t, out, "known_hosts")
	now, err = os.ReadFile(filepath.Join(c.root, "incoming", "MANIFEST.json"))
	require.NoError(t, err)
	require.Equal(t, manifest, now, "nothing pushed to a host that may not be the standby")
}

// Bad settings and arguments are named with the form expected, exit 2,
// before anything connects.
func TestE2ECloneBadInputIsNamed(t *testing.T) {
	base := []string{"PATH=" + os.Getenv("PATH"), "TZ=UTC", "STATE_FILE=" + filepath.Join(t.TempDir(), "state.json"), "NB_URL=https://nb.example.com"}
	run := func(env []string, args ...string) (string, int) {
		d := start(t, env, append([]string{"clone"}, args...)...)
		code := d.waitExit()
		return strings.Join(d.stdout(), "\n") + d.logs(), code
	}
	out, code := run(base, "stage")
	require.Equal(t, 2, code, out)
	for _, v := range []string{"CLONE_SSH_HOST is not set; expected user@host of the standby", "CLONE_TARGETS is not set", "CLONE_DB_PATHS is not set"} {
		require.Contains(t, out, v)
	}
	// verify reaches only the standby's API: CLONE_DB_PATHS is not asked
	// for, but where the standby is, is.
	out, code = run(append(base, "CLONE_TARGETS=cold", "CLONE_COLD_ROOT=/opt/cold", "NB_API_KEY=nbp_x"), "verify")
	require.Equal(t, 2, code, out)
	require.Contains(t, out, "config: CLONE_STANDBY_IP is not set, nor CLONE_SSH_HOST")
	require.NotContains(t, out, "CLONE_DB_PATHS")
	out, code = run(append(base, "CLONE_TARGETS=cold", "CLONE_COLD_ROOT=/opt/cold", "CLONE_STANDBY_IP=192.0.2.7"), "verify")
	require.Equal(t, 2, code, out)
	require.Contains(t, out, "config: NB_API_KEY must be set to compare the standby with the primary")

	db := filepath.Join(t.TempDir(), "store.db")
	set := append(base, "CLONE_SSH_HOST=root@standby.invalid", "CLONE_TARGETS=cold", "CLONE_DB_PATHS="+db)
	out, code = run(set, "status")
	require.Equal(t, 2, code, out)
	require.Contains(t, out, "CLONE_COLD_ROOT must be set for target 'cold'; expected the stack's directory on the standby")

	set = append(set, "CLONE_COLD_ROOT=/opt/cold")
	out, code = run(set, "drill", "warm", "--yes")
	require.Equal(t, 2, code, out)
	require.Contains(t, out, "unknown target 'warm'; configured: cold")

	// A dry run stages here and connects to nothing (the standby's name
	// does not even resolve).
	sqlDB, err := sql.Open("sqlite", db)
	require.NoError(t, err)
	_, err = sqlDB.Exec(`CREATE TABLE accounts (id TEXT); INSERT INTO accounts VALUES ('a'); CREATE TABLE peers (id TEXT); INSERT INTO peers VALUES ('p')`)
	require.NoError(t, err)
	sqlDB.Close()
	stage := filepath.Join(t.TempDir(), "stage")
	out, code = run(append(set, "CLONE_STAGE_DIR="+stage), "run", "--dry-run")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "DRY RUN — would push to root@standby.invalid:/opt/cold/incoming/")
	require.FileExists(t, filepath.Join(stage, "install.sh"))
	// It needs no standby at all: CLONE_SSH_HOST is for pushing.
	here := filepath.Join(t.TempDir(), "stage-here")
	out, code = run(append(base, "CLONE_TARGETS=cold", "CLONE_COLD_ROOT=/opt/cold", "CLONE_DB_PATHS="+db, "CLONE_STAGE_DIR="+here), "stage", "--dry-run")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "DRY RUN — staged here; CLONE_SSH_HOST is not set")
	require.FileExists(t, filepath.Join(here, "install.sh"))

	for _, bad := range []struct{ env, want string }{
		{"CLONE_SSH_STRICT=sometimes", `CLONE_SSH_STRICT="sometimes" is not a host key policy; expected yes, accept-new or no`},
		{"CLONE_TARGET_PATHS=/a:b:c:d", "CLONE_TARGET_PATHS"},
		{"CLONE_FAILOVER_TARGET=warm", "CLONE_FAILOVER_TARGET='warm' is not in CLONE_TARGETS (cold)"},
		{"CLONE_COLD_AUTOSTART=perhaps", "CLONE_COLD_AUTOSTART"},
		{"CLONE_COLD_CERT_COPY=true", "config: CLONE_COLD_CERT_COPY=true needs CLONE_ACME_SOURCE, CLONE_ACME_REMOTE and CLONE_INGRESS_ROOT"},
	} {
		out, code = run(append(set, bad.env), "stage", "--dry-run")
		require.Equal(t, 2, code, "%s: %s", bad.env, out)
		require.Contains(t, out, bad.want, bad.env)
	}
}

// CLONE_IMAGES pins the standby to the primary's versions: the digest is
// read from the primary's Docker engine at stage time, and the install
// pulls exactly that from a real registry and tags it latest, although the
// registry's latest has moved on since.
func TestE2ECloneInstallPinsTheStandbyToThePrimarysImages(t *testing.T) {
	skipUnderRace(t, "the Docker engine does most of the work")
	c := newCloneWorld(t, 2, clonetest.StandbyIP)
	repo := clonetest.Registry(t) + "/netbirdio/management"
	v1 := clonetest.Push(t, c.w.Image, repo)
	v1ID := clonetest.ImageID(t, repo+":latest")
	compose := filepath.Join(c.root, "docker-compose.yml")
	b, err := os.ReadFile(compose)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(compose, []byte(strings.ReplaceAll(string(b), c.w.Image, repo+":latest")), 0o644))
	c.env = append(c.env, "CLONE_IMAGES="+repo, "CLONE_DOCKER_SOCKET="+clonetest.Socket())

	out, code := c.clone(t, "stage")
	require.Equal(t, 0, code, out)
	images, err := os.ReadFile(filepath.Join(c.root, "incoming", "images.txt"))
	require.NoError(t, err)
	require.Equal(t, repo+" "+v1+"\n", string(images))

	// A newer image is released under latest after the staging.
	build := exec.Command("docker", "build", "-q", "-t", repo+":latest", "-")
	build.Stdin = strings.NewReader("FROM " + repo + ":latest\nLABEL birdseye.test=newer\n")
	o, err := build.CombinedOutput()
	require.NoError(t, err, string(o))
	v2 := clonetest.Push(t, repo+":latest", repo)
	require.NotEqual(t, v1, v2)
	v2ID := clonetest.ImageID(t, repo+":latest")
	require.NotEqual(t, v1ID, v2ID)
	// Someone else's untagged image on the standby (a build in progress
	// leaves such layers): the install must not touch it.
	build = exec.Command("docker", "build", "-q", "-")
	build.Stdin = strings.NewReader("FROM " + c.w.Image + "\nLABEL birdseye.test=not-ours-" + strconv.FormatInt(time.Now().UnixNano(), 10) + "\n")
	o, err = build.Output()
	require.NoError(t, err, string(o))
	notOurs := strings.TrimSpace(string(o))
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", notOurs).Run() })

	// A container (another stack's, say) still uses the newer version.
	user := clonetest.Docker(t, "create", v2ID)
	t.Cleanup(func() { exec.Command("docker", "rm", "-f", user).Run() })

	out, code = c.clone(t, "install", "--yes")
	require.Equal(t, 0, code, out)
	require.Equal(t, v1ID, clonetest.ImageID(t, repo+":latest"), "latest is the primary's version again")
	require.NoError(t, exec.Command("docker", "image", "inspect", v2ID).Run(), "a version a container uses stays")
	require.NotContains(t, out, "removed an old version")

	clonetest.Docker(t, "rm", user)
	out, code = c.clone(t, "install", "--yes")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "removed an old version of "+repo+": "+v2ID)
	require.Error(t, exec.Command("docker", "image", "inspect", v2ID).Run(), "the unused old version is gone")
	require.NoError(t, exec.Command("docker", "image", "inspect", notOurs).Run(), "an untagged image that is not ours stays")
	require.Equal(t, v1ID, clonetest.ImageID(t, repo+":latest"))
	out, code = c.clone(t, "drill", "--yes")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "Drill of cold passed.")
}

// The image's user is not in the Docker socket's group: CLONE_IMAGES then
// fails the stage with the fix, not a bare "permission denied".
func TestE2ECloneStageNamesTheFixForADockerSocketItMayNotOpen(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run birdseye as another user")
	}
	dir := t.TempDir()
	require.NoError(t, os.Chmod(dir, 0o777))
	sock := filepath.Join(dir, "docker.sock")
	l, err := net.Listen("unix", sock)
	require.NoError(t, err)
	defer l.Close()
	require.NoError(t, os.Chmod(sock, 0o660)) // root:root, as root:docker on a host
	db := filepath.Join(dir, "store.db")
	sqlDB, err := sql.Open("sqlite", db)
	require.NoError(t, err)
	_, err = sqlDB.Exec(`CREATE TABLE accounts (id TEXT); INSERT INTO accounts VALUES ('a'); CREATE TABLE peers (id TEXT); INSERT INTO peers VALUES ('p')`)
	require.NoError(t, err)
	sqlDB.Close()
	require.NoError(t, os.Chmod(db, 0o644))
	env := []string{"PATH=" + os.Getenv("PATH"), "TZ=UTC", "STATE_FILE=" + filepath.Join(dir, "state.json"), "NB_URL=https://nb.example.com",
		"CLONE_SSH_HOST=root@standby.invalid", "CLONE_TARGETS=cold", "CLONE_COLD_ROOT=/opt/cold", "CLONE_DB_PATHS=" + db,
		"CLONE_STAGE_DIR=" + filepath.Join(dir, "stage"), "CLONE_IMAGES=netbirdio/management", "CLONE_DOCKER_SOCKET=" + sock}
	d := startAs(t, nobody, env, "clone", "stage", "--dry-run")
	require.Equal(t, 1, d.waitExit())
	out := strings.Join(d.stdout(), "\n")
	require.Contains(t, out, "permission denied")
	require.Contains(t, out, "birdseye (UID 65534) may not open the socket: give the container its group (group_add: the group id of "+sock+" on the host)")
}
