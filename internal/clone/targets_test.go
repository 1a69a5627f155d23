package clone

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFailoverTargetFallsBackToTheFirstAndChecksTheConfiguredOne(t *testing.T) {
	ts := []Target{{Name: "a", Autostart: true}, {Name: "b", Autostart: true}}
	f, err := FailoverTarget(ts, "")
	require.NoError(t, err)
	require.Equal(t, "a", f.Name)
	f, err = FailoverTarget(ts, "b")
	require.NoError(t, err)
	require.Equal(t, "b", f.Name)
	_, err = FailoverTarget(ts, "c")
	require.EqualError(t, err, "CLONE_FAILOVER_TARGET='c' is not in CLONE_TARGETS (a, b)")
	_, err = Find(ts, "z")
	require.EqualError(t, err, "unknown target 'z'; configured: a, b")
}
