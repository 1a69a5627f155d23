// Package docker_test builds the real image and runs it with the shipped
// compose file against a fake NetBird API on 127.0.0.1. It runs when a Docker
// engine is reachable (DOCKER_HOST or the default socket); in CI (CI=true) a
// missing engine is a failure, elsewhere the test says it was skipped.
package docker_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird/fake"
)

const image = "birdseye:test"

func docker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("docker", args...).CombinedOutput()
	require.NoError(t, err, "docker %s\n%s", strings.Join(args, " "), out)
	return strings.TrimSpace(string(out))
}

func requireEngine(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("docker"); err == nil {
		if exec.Command("docker", "info").Run() == nil {
			return
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Docker engine reachable in CI: .ci/run should have started one (DOCKER_HOST)")
	}
	t.Skip("skipped: no Docker engine reachable (set DOCKER_HOST or start dockerd to run the image test)")
}

// goImage makes sure the builder image the Dockerfile names exists. No
// registry is reachable here, so a stand-in is imported from this machine's
// Go toolchain and busybox (both what the build stage needs: go and sh).
func goImage(t *testing.T) string {
	const name = "golang:1.26-bookworm"
	if exec.Command("docker", "image", "inspect", name).Run() == nil {
		return name
	}
	busybox, err := exec.LookPath("busybox")
	if err != nil {
		busybox = "/bin/busybox"
	}
	root := t.TempDir()
	for _, d := range []string{"bin", "usr/local", "tmp", "etc/ssl/certs", "root"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	require.NoError(t, os.Chmod(filepath.Join(root, "tmp"), 0o1777))
	run(t, "cp", busybox, filepath.Join(root, "bin/busybox"))
	for _, a := range []string{"sh", "ls", "cat", "mkdir", "cp", "mv", "rm", "ln", "chmod", "env", "echo"} {
		require.NoError(t, os.Symlink("busybox", filepath.Join(root, "bin", a)))
	}
	run(t, "cp", "/etc/ssl/certs/ca-certificates.crt", filepath.Join(root, "etc/ssl/certs/"))
	run(t, "cp", "-a", runtime.GOROOT(), filepath.Join(root, "usr/local/go"))
	require.NoError(t, os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("root:x:0:0:root:/root:/bin/sh\n"), 0o644))
	cmd := exec.Command("sh", "-c", fmt.Sprintf("tar -C %s -c . | docker import --change 'ENV PATH=/usr/local/go/bin:/bin' --change 'ENV HOME=/root' --change 'WORKDIR /go' - %s", root, name))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", name).Run() }) // the test made it: it takes it away
	return name
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	require.NoError(t, err, "%s %v: %s", name, args, out)
}

func compose(t *testing.T, dir string, args ...string) string {
	t.Helper()
	bin, pre := "docker-compose", []string{}
	if _, err := exec.LookPath(bin); err != nil {
		bin, pre = "docker", []string{"compose"}
	}
	full := append(pre, append([]string{"-p", "birdseyetest", "-f", filepath.Join(dir, "docker-compose.yml"), "-f", filepath.Join(dir, "override.yml")}, args...)...)
	cmd := exec.Command(bin, full...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %s\n%s", bin, strings.Join(full, " "), out)
	return string(out)
}

func TestImageWithTheShippedComposeFile(t *testing.T) {
	requireEngine(t)
	base := goImage(t)

	// The test's images and their layers go when it ends: a developer's
	// engine is not left a gigabyte fuller.
	t.Cleanup(func() {
		exec.Command("docker", "rmi", "-f", image, image+"-prebuilt").Run()
		exec.Command("docker", "image", "prune", "-f", "--filter", "label=birdseye.stage=build").Run()
	})

	// Build the real Dockerfile from the repository root, as the README says:
	// the version comes from the VERSION file, the commit from the argument.
	build := exec.Command("docker", "build", "--network=host", "--build-arg", "GO_IMAGE="+base,
		"--build-arg", "COMMIT=abc1234", "-f", "docker/Dockerfile", "-t", image, ".")
	build.Dir = ".."
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	versionFile, err := os.ReadFile("../VERSION")
	require.NoError(t, err)
	wantVersion := "birdseye " + strings.TrimSpace(string(versionFile)) + " (commit abc1234"
	require.Contains(t, docker(t, "run", "--rm", "--network=none", image, "version"), wantVersion)

	// The release pipeline's variant: a binary built outside, into dist/
	// (the developer's bin/birdseye is left alone).
	dist := filepath.Join("..", "dist", "test")
	t.Cleanup(func() { os.RemoveAll(dist) })
	bin := exec.Command("make", "build", "VERSION=prebuilt-test", "BIN=dist/test/birdseye")
	bin.Dir = ".."
	out, err = bin.CombinedOutput()
	require.NoError(t, err, "%s", out)
	pre := exec.Command("docker", "build", "--network=host", "--build-arg", "GO_IMAGE="+base, "--build-arg", "PREBUILT=dist/test/birdseye",
		"-f", "docker/Dockerfile", "-t", image+"-prebuilt", ".")
	pre.Dir = ".."
	out, err = pre.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, docker(t, "run", "--rm", "--network=none", image+"-prebuilt", "version"), "birdseye prebuilt-test")

	size := docker(t, "image", "inspect", "-f", "{{.Size}}", image)
	var bytesSize int64
	fmt.Sscan(size, &bytesSize)
	t.Logf("image size: %.1f MB", float64(bytesSize)/1e6)
	require.Less(t, bytesSize, int64(22_000_000), "image within the budget of 22,000,000 bytes (SSH, S3 and age inside)")

	// A fake NetBird on loopback; the container shares the host's network.
	f := fake.New()
	f.LoadFixtureEvents()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: f}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	// The metrics endpoint, with the network's own gauges (FLEET_METRICS).
	ml, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	metricsAddr := ml.Addr().String()
	ml.Close()

	dir := t.TempDir()
	shipped, err := os.ReadFile("docker-compose.yml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "docker-compose.yml"), shipped, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), []byte(strings.Join([]string{
		"NB_URL=http://" + ln.Addr().String(),
		"NB_API_KEY=" + fake.AuditorToken,
		"POLL_INTERVAL=0.5",
		"BACKFILL=1",
		"METRICS_ADDR=" + metricsAddr,
		"FLEET_METRICS=on",
		"UPDATE_SOURCE_URL=off",
	}, "\n")+"\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "override.yml"), []byte(`services:
  birdseye:
    image: `+image+`
    container_name: birdseye-test
    network_mode: host
    healthcheck:
      interval: 1s
      start_period: 1s
`), 0o644))
	t.Cleanup(func() {
		cmd := exec.Command("docker-compose", "-p", "birdseyetest", "-f", filepath.Join(dir, "docker-compose.yml"), "-f", filepath.Join(dir, "override.yml"), "down", "-v")
		cmd.Dir = dir
		cmd.Run()
	})
	compose(t, dir, "up", "-d")
	const c = "birdseye-test"

	waitFor(t, "healthy", func() bool { return docker(t, "inspect", "-f", "{{.State.Health.Status}}", c) == "healthy" })

	waitFor(t, "the backfilled event", func() bool { return strings.Contains(logs(t, c), "personal.access.token.delete") })
	added := f.Add(event.Event{ActivityCode: "policy.update", InitiatorID: "sys", TargetID: "docker-e2e", Meta: event.Meta{{Key: "name", Value: "From the test"}}})
	waitFor(t, "the new event in docker logs", func() bool { return strings.Contains(logs(t, c), "target=docker-e2e") })
	require.NotZero(t, added.ID)

	// A fresh compose up with FLEET_METRICS=on serves Grafana-ready metrics:
	// birdseye's own and the network's, in the Prometheus text format.
	var scrape string
	waitFor(t, "the fleet metrics", func() bool {
		resp, err := http.Get("http://" + metricsAddr + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		scrape = string(b)
		return strings.Contains(scrape, "netbird_peers ") && strings.Contains(scrape, "netbird_setup_keys{")
	})
	for _, want := range []string{"# TYPE netbird_peers gauge", "netbird_peers 3\n", `netbird_peers_by_os{os=`, `netbird_users_by_role{role="owner"}`,
		"birdseye_last_successful_poll_timestamp_seconds ", `netbird_management_info{version="0.77.1-local"} 1`} {
		require.Contains(t, scrape, want)
	}

	// Multi-call links work through docker exec, with no shell in the image.
	require.Contains(t, docker(t, "exec", c, "version"), wantVersion)
	require.Contains(t, docker(t, "exec", c, "healthcheck"), "healthy")
	require.Equal(t, strings.Join([]string{
		"dc1uer5qmd2qmv54vjmg  'Default'                       enabled=True  rules=1",
		"dc1uf0tqmd2qmv54vjvg  'Admins to Servers'             enabled=True  rules=1",
		"dc1uf0tqmd2qmv54vk1g  'Ops SSH'                       enabled=True  rules=1",
	}, "\n"), docker(t, "exec", c, "policies", "list"))

	// Non-root, read-only root filesystem, no capabilities.
	require.Equal(t, "65532:65532", docker(t, "inspect", "-f", "{{.Config.User}}", c))
	require.Equal(t, "true", docker(t, "inspect", "-f", "{{.HostConfig.ReadonlyRootfs}}", c))
	require.Equal(t, "[ALL]", docker(t, "inspect", "-f", "{{.HostConfig.CapDrop}}", c))
	pid := docker(t, "inspect", "-f", "{{.State.Pid}}", c)
	status, err := os.ReadFile("/proc/" + pid + "/status")
	require.NoError(t, err)
	require.Regexp(t, `(?m)^Uid:\s+65532\s`, string(status))

	// Restart: the state volume keeps the cursor, nothing is printed twice.
	docker(t, "restart", c)
	waitFor(t, "healthy after restart", func() bool {
		return docker(t, "inspect", "-f", "{{.State.Health.Status}}", c) == "healthy" && strings.Contains(logs(t, c), "resuming")
	})
	f.Add(event.Event{ActivityCode: "group.add", InitiatorID: "sys", TargetID: "after-restart"})
	waitFor(t, "the event after the restart", func() bool { return strings.Contains(logs(t, c), "target=after-restart") })
	all := logs(t, c)
	require.Equal(t, 1, strings.Count(all, "target=docker-e2e"), "no event repeated after the restart:\n%s", all)
	require.Equal(t, 1, strings.Count(all, "personal.access.token.delete"), all)

	// A state volume of the Python image: root-owned, 0644, its cursor at the
	// newest event. birdseye refuses it (it could not save its cursor) and
	// says how to fix it; the documented one-shot fix hands it over, and the
	// daemon resumes from the Python tool's cursor with nothing repeated.
	compose(t, dir, "stop")
	const vol = "birdseyetest_birdseye-state"
	last := f.Events()[len(f.Events())-1].ID
	docker(t, "run", "--rm", "--user", "0", "--network=none", "-v", vol+":/s", base, "sh", "-c",
		fmt.Sprintf(`rm -rf /s/* && echo '{"last_id": %d, "outage_started": null, "outage_alerted": false}' > /s/state.json && chown -R 0:0 /s && chmod 755 /s && chmod 644 /s/state.json`, last))
	compose(t, dir, "up", "-d")
	waitFor(t, "the refusal", func() bool { return strings.Contains(logs(t, c), "cannot be written by birdseye (uid 65532)") })
	require.Contains(t, logs(t, c), "fix: docker compose run --rm --user 0 --cap-add CHOWN --cap-add FOWNER birdseye state fix-owner")
	require.Contains(t, logs(t, c), "or with plain docker: docker run --rm --user 0 --cap-add CHOWN --cap-add FOWNER -v <the state volume>:/var/lib/birdseye <the birdseye image> state fix-owner")
	compose(t, dir, "stop")
	// The documented command, with the compose file's capabilities (none) plus
	// the two it adds; Compose v1 has no --cap-add on run, so docker run.
	fixed := docker(t, "run", "--rm", "--user", "0", "--cap-drop", "ALL", "--cap-add", "CHOWN", "--cap-add", "FOWNER",
		"--security-opt", "no-new-privileges:true", "--read-only", "--network=none", "-v", vol+":/var/lib/birdseye", image, "state", "fix-owner")
	require.Contains(t, fixed, "/var/lib/birdseye/state.json: owner 0:0 -> 65532:65532, mode 0644 -> 0600")
	f.Add(event.Event{ActivityCode: "group.add", InitiatorID: "sys", TargetID: "after-migration"})
	compose(t, dir, "up", "-d")
	waitFor(t, "the event after the migration", func() bool { return strings.Contains(logs(t, c), "target=after-migration") })
	all = logs(t, c)
	require.Contains(t, all, fmt.Sprintf("resuming last_id=%d", last))
	require.Equal(t, 1, strings.Count(all, "target=after-restart"), "nothing before the Python cursor again:\n%s", all)
}

func logs(t *testing.T, c string) string {
	out, err := exec.Command("docker", "logs", c).CombinedOutput()
	require.NoError(t, err)
	return string(out)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			var b bytes.Buffer
			b.WriteString(logs(t, "birdseye-test"))
			t.Fatalf("timed out waiting for %s\n%s", what, b.String())
		}
		time.Sleep(250 * time.Millisecond)
	}
}
