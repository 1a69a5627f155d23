package pgdump

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

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
	run := Container{Engine: e, Name: pgtest.ToolsContainer(t), Env: []string{"PGPASSWORD=" + pgtest.Password}}
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
