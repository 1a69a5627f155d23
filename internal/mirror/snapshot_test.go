package mirror

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// The dump before the first write holds every network's resources and the
// routers, and two runs in the same second keep a file each.
func TestTheSnapshotHoldsResourcesAndRoutersAndIsNeverOverwritten(t *testing.T) {
	_, src, dstF, dst := twoServers(t)
	dstF.SetGroups(`[{"id":"t-all","name":"All","peers":[],"resources":[]},{"id":"t-old","name":"Old team","peers":[],"resources":[]}]`)
	o := opts(t, true)
	for range 2 {
		var out bytes.Buffer
		_, _ = Run(t.Context(), src, dst, o, &out)
		dstF.SetGroups(`[{"id":"t-all","name":"All","peers":[],"resources":[]},{"id":"t-old2","name":"Old team 2","peers":[],"resources":[]}]`)
	}
	files, err := filepath.Glob(filepath.Join(o.SnapshotDir, "target-before-20261129-040000*.json"))
	require.NoError(t, err)
	require.Len(t, files, 2, "the second run of the same second has a file of its own")
	b, err := os.ReadFile(filepath.Join(o.SnapshotDir, "target-before-20261129-040000-2.json")) // after the first run made the networks
	require.NoError(t, err)
	var dump map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &dump))
	require.Contains(t, dump, "networks/routers")
	found := false
	for k := range dump {
		if filepath.Base(k) == "resources" {
			found = true
		}
	}
	require.True(t, found, "a network's resources are in the dump: %v", keysOf(dump))
}

func keysOf(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
