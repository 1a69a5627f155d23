package docker_test

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// The shipped compose file: the service, its volume, health check and
// hardening are what the README promises.
func TestTheComposeFileDeclaresAHardenedService(t *testing.T) {
	raw, err := os.ReadFile("docker-compose.yml")
	require.NoError(t, err)
	var c struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			EnvFile     any               `yaml:"env_file"`
			Restart     string            `yaml:"restart"`
			ReadOnly    bool              `yaml:"read_only"`
			CapDrop     []string          `yaml:"cap_drop"`
			SecurityOpt []string          `yaml:"security_opt"`
			Volumes     []string          `yaml:"volumes"`
			Tmpfs       []string          `yaml:"tmpfs"`
			Healthcheck map[string]any    `yaml:"healthcheck"`
			Logging     map[string]any    `yaml:"logging"`
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
		Volumes map[string]any `yaml:"volumes"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &c))
	s, ok := c.Services["birdseye"]
	require.True(t, ok, "a service named birdseye")
	require.Equal(t, ".env", s.EnvFile)
	require.Equal(t, "unless-stopped", s.Restart)
	require.True(t, s.ReadOnly, "read-only root filesystem")
	require.Equal(t, []string{"ALL"}, s.CapDrop)
	require.Contains(t, s.SecurityOpt, "no-new-privileges:true")
	require.Contains(t, s.Volumes, "birdseye-state:/var/lib/birdseye")
	require.Contains(t, c.Volumes, "birdseye-state")
	require.Equal(t, []any{"CMD", "birdseye", "healthcheck"}, s.Healthcheck["test"])
	require.Equal(t, "json-file", s.Logging["driver"])
}

// The binary built as the Dockerfile builds it is static and runs with an
// empty environment.
func TestTheImageBinaryIsStaticAndNeedsNoEnvironment(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "birdseye")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X github.com/styliteag/birdseye/internal/version.Version=static-test", "-o", bin, "./cmd/birdseye")
	build.Dir = ".."
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	f, err := elf.Open(bin)
	require.NoError(t, err)
	defer f.Close()
	for _, p := range f.Progs {
		require.NotEqual(t, elf.PT_INTERP, p.Type, "no dynamic loader")
	}
	libs, err := f.ImportedLibraries()
	require.NoError(t, err)
	require.Empty(t, libs, "no shared libraries")

	run := exec.Command(bin, "version")
	run.Env = []string{}
	out, err = run.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Regexp(t, `^birdseye static-test \(commit unknown, go1\.\d+`, string(out))
}

// The image's label names the licence of the LICENSE file.
func TestTheImageLicenceLabelMatchesTheLicenseFile(t *testing.T) {
	df, err := os.ReadFile("Dockerfile")
	require.NoError(t, err)
	lic, err := os.ReadFile("../LICENSE")
	require.NoError(t, err)
	require.Contains(t, string(df), `org.opencontainers.image.licenses="MIT"`)
	require.True(t, strings.HasPrefix(string(lic), "MIT License\n"))
}
