package pgdump

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/dockerapi"
	"github.com/styliteag/birdseye/internal/netbird/realtest"
	"github.com/styliteag/birdseye/internal/pgtest"
)

// engine is the Docker engine the tests use; none skips, CI fails.
func engine(t *testing.T) dockerapi.Engine {
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
	return dockerapi.Engine{Socket: s}
}

// toolsContainer stands in for the Postgres container: an image of this
// machine's PostgreSQL client programs (pg_dump, pg_restore, psql, the
// same ones a postgres image carries) with their libraries, imported
// (no registry here), running on the host's network until the test ends.
func toolsContainer(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	bin := pgtest.Bin()
	files := map[string]bool{}
	for _, p := range []string{"pg_dump", "pg_restore", "psql"} {
		files[filepath.Join(bin, p)] = true
		out, err := exec.Command("ldd", filepath.Join(bin, p)).Output()
		require.NoError(t, err)
		for _, line := range strings.Split(string(out), "\n") {
			for _, f := range strings.Fields(line) {
				if strings.HasPrefix(f, "/") {
					files[f] = true
				}
			}
		}
	}
	busybox, err := exec.LookPath("busybox")
	if err != nil {
		busybox = "/bin/busybox"
	}
	files[busybox] = true
	for f := range files {
		real, err := filepath.EvalSymlinks(f)
		require.NoError(t, err)
		b, err := os.ReadFile(real)
		require.NoError(t, err)
		dst := filepath.Join(root, f)
		require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
		require.NoError(t, os.WriteFile(dst, b, 0o755))
	}
	require.NoError(t, os.MkdirAll(filepath.Join(root, "etc"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "etc", "passwd"), []byte("root:x:0:0:root:/root:/bin/sh\npostgres:x:999:999::/var/lib/postgresql:/bin/sh\n"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "tmp"), 0o1777))
	image := fmt.Sprintf("birdseye-pgtools-test:%d", time.Now().UnixNano())
	cmd := exec.Command("sh", "-c", fmt.Sprintf("tar -C %s -c . | docker import --change 'ENV PATH=%s:/usr/bin:/bin' - %s", root, bin, image))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", image).Run() })
	name := strings.ReplaceAll(image, ":", "-")
	out, err = exec.Command("docker", "run", "-d", "--network", "host", "--name", name, image, busybox, "sleep", "3600").CombinedOutput()
	require.NoError(t, err, "%s", out)
	t.Cleanup(func() { exec.Command("docker", "rm", "-f", name).Run() })
	return name
}

// The same dump and restore check, with the tools run in a container
// through the Docker engine, as in a compose stack whose Postgres
// container has them and birdseye's scratch image does not; the password
// goes in the exec's environment, not on a command line.
func TestTheDumpAndItsCheckRunInAContainerThroughTheEngine(t *testing.T) {
	e := engine(t)
	pg := pgtest.Start(t)
	pg.Exec("postgres", `CREATE DATABASE netbird`)
	s := realtest.StartWith(t, realtest.Options{StoreEngine: "postgres",
		Env: []string{"NB_STORE_ENGINE_POSTGRES_DSN=" + pg.DSN("postgres", pgtest.Password, "netbird")}})
	s.Group(t, "Ops")
	run := Container{Engine: e, Name: toolsContainer(t), Env: []string{"PGPASSWORD=" + pgtest.Password}}
	noPassword := func(db string) string {
		return strings.Replace(pg.DSN("postgres", pgtest.Password, db), ":"+pgtest.Password+"@", "@", 1)
	}

	var dump bytes.Buffer
	require.NoError(t, Dump(t.Context(), run, noPassword("netbird"), &dump))
	require.True(t, bytes.HasPrefix(dump.Bytes(), []byte("PGDMP")))
	counts, err := Check(t.Context(), run, noPassword("postgres"), bytes.NewReader(dump.Bytes()))
	require.NoError(t, err)
	var groups []map[string]any
	s.MustDo(t, s.OwnerToken, "GET", "/api/groups", nil, &groups)
	require.Equal(t, len(groups), counts["groups"])
	require.Equal(t, 1, counts["accounts"])

	err = Dump(t.Context(), Container{Engine: e, Name: run.Name}, noPassword("netbird"), &bytes.Buffer{})
	require.ErrorContains(t, err, "pg_dump in container "+run.Name+" exited with 1: ")
}
