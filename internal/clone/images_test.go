package clone

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// engine answers /images/{name}/json on a unix socket as the Docker engine
// does (fields trimmed to those read; 404 body as the engine writes it).
func engine(t *testing.T) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "docker.sock")
	l, err := net.Listen("unix", sock)
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/containers/json":
			// The primary's management runs a pinned tag; traefik, by its
			// Docker Hub name, runs latest.
			w.Write([]byte(`[{"Image":"netbirdio/management:0.77.1","ImageID":"sha256:4444","State":"running"},
				{"Image":"docker.io/library/traefik","ImageID":"sha256:2222","State":"running"}]`))
		case "/images/sha256:4444/json":
			w.Write([]byte(`{"Id":"sha256:4444","RepoTags":["netbirdio/management:0.77.1"],"RepoDigests":["netbirdio/management@sha256:cccc"]}`))
		case "/images/sha256:2222/json":
			w.Write([]byte(`{"Id":"sha256:2222","RepoTags":["traefik:latest"],"RepoDigests":["docker.io/library/traefik@sha256:bbbb"]}`))
		case "/images/netbirdio/management:latest/json":
			w.Write([]byte(`{"Id":"sha256:1111","RepoTags":["netbirdio/management:latest"],"RepoDigests":["netbirdio/management@sha256:aaaa"]}`))
		case "/images/traefik:latest/json":
			w.Write([]byte(`{"Id":"sha256:2222","RepoTags":["traefik:latest"],"RepoDigests":["docker.io/library/traefik@sha256:bbbb"]}`))
		case "/images/local/built:latest/json":
			w.Write([]byte(`{"Id":"sha256:3333","RepoTags":["local/built:latest"],"RepoDigests":[]}`))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"message":"No such image: ` + r.URL.Path + `"}`))
		}
	}))
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return sock
}

// The version a running container of the repository uses is pinned, under
// the tag it was started with (:latest was pinned even when the primary ran
// :0.77.1, which then was "not on this host"); without one, :latest.
func TestImageDigestsPinWhatThePrimaryRuns(t *testing.T) {
	got, tags, notes, err := ImageDigests(context.Background(), engine(t), []string{"netbirdio/management", "traefik", "local/built", "netbirdio/gone"})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"netbirdio/management": "sha256:cccc", "traefik": "sha256:bbbb"}, got)
	require.Equal(t, map[string]string{"netbirdio/management": "0.77.1"}, tags)
	require.Equal(t, []string{
		"local/built:latest was built here, not pulled: it has no digest the standby could pull",
		"netbirdio/gone:latest is not on this host and no container runs it; the standby keeps its own",
	}, notes)
}

func TestImageDigestsWithoutTheSocketIsANoteNotAFailure(t *testing.T) {
	got, _, notes, err := ImageDigests(context.Background(), "/nonexistent/docker.sock", []string{"traefik"})
	require.NoError(t, err)
	require.Empty(t, got)
	require.Len(t, notes, 1)
	require.Contains(t, notes[0], "CLONE_DOCKER_SOCKET /nonexistent/docker.sock is not mounted")
}

func TestImageDigestsRefuseATaggedName(t *testing.T) {
	for _, bad := range []string{"traefik:v3", "netbirdio/management@sha256:aa", "a b"} {
		_, _, _, err := ImageDigests(context.Background(), "/nonexistent", []string{bad})
		require.ErrorContains(t, err, "CLONE_IMAGES: '"+bad+"' is not a repository", bad)
	}
}

// The request shape against the real engine, when this machine has one
// (CI starts one and sets DOCKER_HOST): an image it lacks is a note.
func TestImageDigestsAgainstTheRealEngine(t *testing.T) {
	sock := strings.TrimPrefix(os.Getenv("DOCKER_HOST"), "unix://")
	if sock == "" {
		sock = "/var/run/docker.sock"
	}
	if _, err := os.Stat(sock); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no Docker engine socket at %s in CI", sock)
		}
		t.Skip("no Docker engine socket here")
	}
	got, _, notes, err := ImageDigests(context.Background(), sock, []string{"birdseye-test/never-pulled"})
	require.NoError(t, err)
	require.Empty(t, got)
	require.Equal(t, []string{"birdseye-test/never-pulled:latest is not on this host and no container runs it; the standby keeps its own"}, notes)
}
