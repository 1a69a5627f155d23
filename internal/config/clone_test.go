package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Each clone action needs its own variables: a dry run of stage connects
// to nothing, verify needs only the targets and where the standby is.
func TestEachCloneActionRequiresWhatItUses(t *testing.T) {
	c := Clone{Targets: "cold", DBPaths: List{"/netbird/data/store.db"}}
	require.NoError(t, c.RequireFor(CloneStageHere))
	require.ErrorContains(t, c.RequireFor(CloneEverything), "CLONE_SSH_HOST is not set")
	require.ErrorContains(t, c.RequireFor(CloneStandby), "CLONE_SSH_HOST is not set")
	require.ErrorContains(t, c.RequireFor(CloneTargets), "CLONE_STANDBY_IP is not set, nor CLONE_SSH_HOST")
	c.StandbyIP = "203.0.113.7"
	require.NoError(t, c.RequireFor(CloneTargets))
	require.ErrorContains(t, Clone{}.RequireFor(CloneStageHere), "CLONE_TARGETS is not set")
}
