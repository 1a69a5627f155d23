package main

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/netbird/fake"
)

// The code's variables (config.Vars) are the one source of truth: every one is
// in .env.example with its default and in docs/configuration.md's table, and neither
// documents a variable the code does not read.
func TestEnvExampleAndReadmeAgreeWithTheCode(t *testing.T) {
	vars := map[string]config.Var{}
	for _, v := range config.Vars() {
		vars[v.Name] = v
	}

	f, err := os.Open("../../.env.example")
	require.NoError(t, err)
	defer f.Close()
	example := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		// "#NAME=value" documents a variable the template leaves unset.
		if commented := strings.TrimPrefix(line, "#"); commented != line && regexp.MustCompile(`^[A-Z0-9_]+=`).MatchString(commented) {
			line = commented
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		require.True(t, ok, line)
		example[k] = v
	}
	for name, v := range vars {
		got, ok := example[name]
		require.True(t, ok, "%s is missing from .env.example", name)
		if !v.Secret && name != "NB_URL" {
			require.Equal(t, v.Default, got, "%s: .env.example shows a different default", name)
		}
	}
	for name := range example {
		_, ok := vars[name]
		require.True(t, ok, ".env.example documents %s, which the code does not read", name)
	}

	reference, err := os.ReadFile("../../docs/configuration.md")
	require.NoError(t, err)
	row := regexp.MustCompile("(?m)^\\| `([A-Z0-9_]+)`")
	documented := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(string(reference), -1) {
		documented[m[1]] = true
	}
	for name := range vars {
		require.True(t, documented[name], "%s is missing from docs/configuration.md", name)
	}
	for name := range documented {
		_, ok := vars[name]
		require.True(t, ok || strings.HasSuffix(name, "_FILE"), "docs/configuration.md documents %s, which the code does not read", name)
	}

	// The README's short table names only real variables.
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for _, m := range regexp.MustCompile("`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`").FindAllStringSubmatch(string(readme), -1) {
		name := m[1]
		if _, ok := vars[name]; ok || strings.HasSuffix(name, "_FILE") || strings.HasSuffix(name, "_INCLUDE") || strings.HasSuffix(name, "_EXCLUDE") {
			continue
		}
		require.Contains(t, []string{"POSTURE_IGNORE", "PING_IGNORE", "DOCKER_HOST", "NO_COLOR"}, name, "the README names %s, which birdseye does not read", name)
	}
}

// The README is a front door: short enough to read in a few minutes.
func TestTheReadmeIsAFrontDoor(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	require.Less(t, strings.Count(string(readme), "\n"), 300)
}

// A new user copies .env.example, sets NB_URL and NB_API_KEY and starts:
// no warning greets them (the cleanup job waits for its token quietly), and
// doctor says the same as the daemon.
func TestE2ETheTemplateEnvStartsWithoutWarnings(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	raw, err := os.ReadFile("../../.env.example")
	require.NoError(t, err)
	env := []string{"PATH=" + os.Getenv("PATH")}
	for _, line := range strings.Split(string(raw), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, _, _ := strings.Cut(line, "=")
		switch k {
		case "NB_URL", "NB_API_KEY", "STATE_FILE":
			continue
		}
		env = append(env, line)
	}
	// The release source as a mirror file: the example's own asks the internet.
	release := filepath.Join(t.TempDir(), "version")
	require.NoError(t, os.WriteFile(release, []byte("0.77.1\n"), 0o644))
	env = append(env, "NB_URL="+api.URL, "NB_API_KEY="+fake.AuditorToken, "STATE_FILE="+filepath.Join(t.TempDir(), "state.json"), "UPDATE_SOURCE_URL="+release)
	d := start(t, env)
	d.waitLog("first boot")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
	require.NotContains(t, d.logs(), "level=WARN", d.logs())
	require.Contains(t, d.logs(), "cleanup-ephemeral is off until NB_ADMIN_API_KEY is set")

	doc := start(t, env, "doctor")
	doc.waitExit()
	out := strings.Join(doc.stdout(), "\n")
	require.Contains(t, out, "ok    CRON_CLEANUP_EPHEMERAL cleanup-ephemeral is off until NB_ADMIN_API_KEY is set")
}
