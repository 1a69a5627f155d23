package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// A key set twice in .env: the last value wins (Docker Compose,
// python-dotenv and the Python tool read it so; a user who appends NB_URL=
// to the template means the appended one), and it is said. The process's
// environment still wins over the file.
func TestDotEnvTheLastOfARepeatedKeyWinsAndIsNamed(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	require.NoError(t, os.WriteFile(path, []byte("NB_URL=https://template.example.com\nPOLL_INTERVAL=30\nNB_URL=https://mine.example.com\nPOLL_INTERVAL=15\nPOLL_INTERVAL=20\n"), 0o600))
	t.Setenv("NB_URL", "")
	os.Unsetenv("NB_URL")
	t.Setenv("POLL_INTERVAL", "")
	os.Unsetenv("POLL_INTERVAL")
	require.NoError(t, LoadDotEnv(path))
	require.Equal(t, "https://mine.example.com", os.Getenv("NB_URL"))
	require.Equal(t, "20", os.Getenv("POLL_INTERVAL"))
	require.Equal(t, []string{"NB_URL", "POLL_INTERVAL"}, DotEnvRepeated())

	t.Setenv("NB_URL", "https://from-the-environment.example.com")
	require.NoError(t, LoadDotEnv(path))
	require.Equal(t, "https://from-the-environment.example.com", os.Getenv("NB_URL"), "the environment wins over the file")
}

// An unreadable NB_API_KEY_FILE is said once: not also as "NB_API_KEY is
// not set (nor NB_API_KEY_FILE)", which contradicts it.
func TestAnUnreadableSecretFileIsSaidOnce(t *testing.T) {
	setEnv(t, map[string]string{"NB_URL": "https://nb.example.com", "NB_API_KEY_FILE": "/no/such/key"})
	_, err := Load()
	require.ErrorContains(t, err, `config: NB_API_KEY_FILE="/no/such/key" cannot be read`)
	require.NotContains(t, err.Error(), "NB_API_KEY is not set")
}
