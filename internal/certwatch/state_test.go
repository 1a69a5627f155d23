package certwatch

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTheStateOutlivesARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "certwatch.json")
	st, err := LoadState(path)
	require.NoError(t, err)
	require.Empty(t, st, "no file yet: nothing told")
	st["nb.example.test:443"] = 7
	st["signal.example.test:443"] = -1
	require.NoError(t, st.Save(path))
	again, err := LoadState(path)
	require.NoError(t, err)
	require.Equal(t, st, again)

	require.NoError(t, os.WriteFile(path, []byte("{"), 0o600))
	_, err = LoadState(path)
	require.ErrorContains(t, err, "read "+path+": ")
}
