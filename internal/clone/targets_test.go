package clone

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFindNamesTheConfiguredTargets(t *testing.T) {
	ts := []Target{{Name: "a", Autostart: true}, {Name: "b", Autostart: true}}
	f, err := Find(ts, "b")
	require.NoError(t, err)
	require.Equal(t, "b", f.Name)
	_, err = Find(ts, "z")
	require.EqualError(t, err, "unknown target 'z'; configured: a, b")
}
