package backup

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// `backup check latest`: the newest volume archive in BACKUP_DIR by the
// stamp its name ends in, whatever the label (labels hold dashes), either
// format, never a partial, an export or another file.
func TestLatestInIsTheNewestVolumeArchiveByItsStamp(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"netbird-prod-eu-20261101T030000Z.zip", "netbird-a-20261102T030000Z.tar.gz.age",
		"netbirdexport-a-20261109T030000Z.zip", ".netbird-a-20261110T030000Z.zip.partial", "netbird-a-20261111T030000Z.zip.partial", "notes.txt"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600))
	}
	got, err := LatestIn(t.Context(), dir)
	require.NoError(t, err)
	require.Equal(t, filepath.Join(dir, "netbird-a-20261102T030000Z.tar.gz.age"), got)

	empty := t.TempDir()
	_, err = LatestIn(t.Context(), empty)
	require.EqualError(t, err, "no volume archive (netbird-*.zip or .tar.gz.age) in BACKUP_DIR="+empty)
}
