package updates

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestVersionsCompareAsReleasesAndPreReleasesAreKnown(t *testing.T) {
	v := func(s string) Version {
		t.Helper()
		x, ok := Parse(s)
		require.True(t, ok, s)
		return x
	}
	require.True(t, v("0.78.0").Newer(v("0.77.1-local")))
	require.True(t, v("v0.77.10").Newer(v("0.77.9")), "numbers, not text")
	require.False(t, v("0.77.1").Newer(v("0.77.1-local")), "the same release")
	require.False(t, v("0.76.0").Newer(v("0.77.1")), "an older 'available' version (NetBird #5192) is no update")
	require.True(t, v("0.78.0-rc1").Pre())
	require.False(t, v("0.77.1-local").Pre(), "a local build is not a pre-release")
	require.Equal(t, "2.23.0", v("v2.23.0").String())
	require.Equal(t, "1.2.0", v("1.2").String())
	for _, bad := range []string{"", "development", "0.x.1", "1", "1.2.3.4"} {
		_, ok := Parse(bad)
		require.False(t, ok, bad)
	}
}
