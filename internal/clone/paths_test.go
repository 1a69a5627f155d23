package clone

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPathsBareLocalGoesToItsBaseNameSynced(t *testing.T) {
	ps, err := ParsePaths("CLONE_TARGET_PATHS", "/etc/netbird/turnserver.conf, /etc/x/dex.yaml:conf/dex.yaml:seed", false)
	require.NoError(t, err)
	require.Equal(t, []Path{
		{Local: "/etc/netbird/turnserver.conf", Dest: "turnserver.conf", Mode: Sync},
		{Local: "/etc/x/dex.yaml", Dest: "conf/dex.yaml", Mode: Seed},
	}, ps)
}

func TestPathsWildcardExpandsSortedIntoTheDestinationDirectory(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b.yml", "a.yml", "c.txt"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), nil, 0o600))
	}
	ps, err := ParsePaths("CLONE_SHARED_PATHS", filepath.Join(dir, "*.yml")+":/opt/shared/conf", true)
	require.NoError(t, err)
	require.Equal(t, []Path{
		{Local: filepath.Join(dir, "a.yml"), Dest: "/opt/shared/conf/a.yml", Mode: Sync},
		{Local: filepath.Join(dir, "b.yml"), Dest: "/opt/shared/conf/b.yml", Mode: Sync},
	}, ps)
}

func TestPathsBadItemsSayWhatIsWrong(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		value  string
		shared bool
		want   string
	}{
		{"a:b:sync:x", false, "expected local:dest[:sync|seed], got 4 parts"},
		{"a:b:copy", false, "the mode must be sync or seed, got 'copy'"},
		{":b", false, "the local path is empty"},
		{dir + "/*.conf", false, "a wildcard needs a destination directory"},
		{dir + "/*.conf:conf", false, "matched no files"},
		{"a:/abs", false, "relative to the target's root"},
		{"a:../../etc", false, "must stay inside the target's root"},
		{"a:.", false, "must stay inside the target's root"},
		{"a:rel", true, "a shared destination must be absolute"},
		{"a:/", true, "cannot be /"},
	}
	for _, c := range cases {
		_, err := ParsePaths("CLONE_X_PATHS", "ok:ok/x,"+c.value, c.shared)
		if c.shared {
			_, err = ParsePaths("CLONE_X_PATHS", "ok:/ok,"+c.value, c.shared)
		}
		require.Error(t, err, c.value)
		require.Contains(t, err.Error(), "CLONE_X_PATHS: '"+c.value+"': ", c.value)
		require.Contains(t, err.Error(), c.want, c.value)
	}
}
