package docker_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const changelog = `# Changelog

## [Unreleased]

### Added
- birdseye run forwards audit events.

## [0.4.1] - 2026-08-10

### Fixed
- an old fix.
`

// releaseRepo makes a throw-away repository with a bare remote, holding
// release.sh, VERSION and a CHANGELOG.md.
func releaseRepo(t *testing.T, log string) (work, remote string) {
	t.Helper()
	dir := t.TempDir()
	remote, work = filepath.Join(dir, "remote.git"), filepath.Join(dir, "work")
	git(t, dir, "init", "-q", "--bare", remote)
	git(t, dir, "init", "-q", "-b", "main", work)
	script, err := os.ReadFile("../release.sh")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(work, "release.sh"), script, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(work, "VERSION"), []byte("0.4.1\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(work, "CHANGELOG.md"), []byte(log), 0o644))
	git(t, work, "add", ".")
	git(t, work, "commit", "-q", "-m", "init")
	git(t, work, "remote", "add", "origin", remote)
	git(t, work, "push", "-q", "origin", "main")
	return work, remote
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git %v: %s", args, out)
	return strings.TrimSpace(string(out))
}

func release(t *testing.T, dir string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("./release.sh", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "RELEASE_DATE=2026-11-23", "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return string(out), code
}

func TestReleaseBumpsRewritesTheChangelogTagsAndPushes(t *testing.T) {
	work, remote := releaseRepo(t, changelog)
	out, code := release(t, work, "minor")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "released v0.5.0")
	v, _ := os.ReadFile(filepath.Join(work, "VERSION"))
	require.Equal(t, "0.5.0\n", string(v))
	log, _ := os.ReadFile(filepath.Join(work, "CHANGELOG.md"))
	require.Equal(t, `# Changelog

## [Unreleased]

## [0.5.0] - 2026-11-23

### Added
- birdseye run forwards audit events.

## [0.4.1] - 2026-08-10

### Fixed
- an old fix.
`, string(log))
	require.Equal(t, "v0.5.0", git(t, remote, "tag", "--list", "v0.5.0"))
	require.Equal(t, "chore: release v0.5.0", git(t, remote, "log", "-1", "--format=%s", "main"))

	// Nothing new since: the next release is refused.
	out, code = release(t, work, "patch")
	require.Equal(t, 1, code)
	require.Contains(t, out, "the Unreleased section of CHANGELOG.md lists no changes")
}

func TestReleaseBumps(t *testing.T) {
	for bump, want := range map[string]string{"patch": "0.4.2", "minor": "0.5.0", "major": "1.0.0"} {
		work, _ := releaseRepo(t, changelog)
		out, code := release(t, work, bump, "--dry-run")
		require.Equal(t, 0, code, out)
		require.Contains(t, out, "release 0.4.1 -> "+want)
		require.Empty(t, git(t, work, "status", "--porcelain"), "a dry run changes nothing")
		require.Empty(t, git(t, work, "tag"))
	}
}

func TestReleaseRefuses(t *testing.T) {
	work, _ := releaseRepo(t, changelog)
	require.NoError(t, os.WriteFile(filepath.Join(work, "stray.txt"), []byte("x"), 0o644))
	out, code := release(t, work, "patch")
	require.Equal(t, 1, code)
	require.Contains(t, out, "the working tree has uncommitted changes")

	work, _ = releaseRepo(t, changelog)
	git(t, work, "tag", "v0.4.2")
	out, code = release(t, work, "patch")
	require.Equal(t, 1, code)
	require.Contains(t, out, "tag v0.4.2 exists already")

	work, _ = releaseRepo(t, "# Changelog\n\n## [Unreleased]\n\n## [0.4.1] - 2026-08-10\n- x\n")
	out, code = release(t, work, "patch")
	require.Equal(t, 1, code)
	require.Contains(t, out, "lists no changes")

	for _, args := range [][]string{{}, {"huge"}, {"patch", "minor"}} {
		out, code = release(t, work, args...)
		require.Equal(t, 2, code, args)
		require.Contains(t, out, "usage: release.sh patch|minor|major|X.Y.Z [--dry-run]")
	}
}

// The Go line has its own version: the repository's VERSION is not the
// Python tool's (its last release was 0.4.1), so `birdseye version` and an
// update check tell the two apart.
func TestTheGoLineIsVersionedApartFromThePythonTool(t *testing.T) {
	v, err := os.ReadFile("../VERSION")
	require.NoError(t, err)
	major, _, ok := strings.Cut(strings.TrimSpace(string(v)), ".")
	require.True(t, ok, "VERSION holds X.Y.Z")
	require.NotEqual(t, "0", major, "the Go line starts at 1.0.0, after the Python tool's 0.x")
}

// The first release of a version set by hand (VERSION 1.0.0, no tag yet)
// names it; a version below VERSION is refused.
func TestReleaseTakesAnExplicitVersion(t *testing.T) {
	work, remote := releaseRepo(t, changelog)
	require.NoError(t, os.WriteFile(filepath.Join(work, "VERSION"), []byte("1.0.0\n"), 0o644))
	git(t, work, "commit", "-qam", "the Go line starts at 1.0.0")

	out, code := release(t, work, "0.9.0")
	require.Equal(t, 1, code, out)
	require.Contains(t, out, "0.9.0 is below VERSION 1.0.0")

	out, code = release(t, work, "1.0.0")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "release 1.0.0 -> 1.0.0")
	require.Equal(t, "v1.0.0", git(t, remote, "tag", "--list", "v1.0.0"))
	log, _ := os.ReadFile(filepath.Join(work, "CHANGELOG.md"))
	require.Contains(t, string(log), "## [Unreleased]\n\n## [1.0.0] - 2026-11-23\n")
}
