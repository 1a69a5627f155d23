package clone

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStatusShowsWhatIsStagedInstalledAndKept(t *testing.T) {
	plan, sb := stagedStandby(t)
	require.NoError(t, sb.Install(context.Background(), plan.Targets[1], &bytes.Buffer{}))
	acme := filepath.Join(t.TempDir(), "acme.json")
	require.NoError(t, os.WriteFile(acme, []byte(primaryACME), 0o600))

	st := sb.Status(context.Background(), plan.Targets, acme)
	require.NotNil(t, st.Staged)
	require.Equal(t, "nb.example.com", st.Staged.Primary)
	require.Equal(t, []string{"nb.example.com", "proxy.example.com"}, st.Certificates)
	require.Len(t, st.Targets, 2)
	hot, cold := st.Targets[0], st.Targets[1]
	require.Empty(t, hot.Databases)
	require.Equal(t, "nothing installed yet: run birdseye clone install hot", hot.Advice)
	require.Len(t, cold.Databases, 1)
	require.Equal(t, "store.db", cold.Databases[0].Name)
	require.Len(t, cold.Snapshots, 1)
	require.Empty(t, cold.Advice)

	var out bytes.Buffer
	st.Text(&out)
	require.Contains(t, out.String(), "holds:   1 accounts, 2 peers")
	require.Contains(t, out.String(), "certificates in the ingress: nb.example.com, proxy.example.com")
	require.NotContains(t, out.String(), "P-KEY", "keys never show")
	b, err := json.Marshal(st)
	require.NoError(t, err)
	require.NotContains(t, string(b), "P-KEY")
	require.NotContains(t, string(b), `"files"`, "the file list stays out of status")
}

func TestStatusOfAnEmptyStandbySaysWhatToDo(t *testing.T) {
	sb := Standby{Shell: dialStandby(t), Payload: filepath.Join(t.TempDir(), "incoming")}
	st := sb.Status(context.Background(), []Target{cold}, "")
	require.Equal(t, ErrNothingStaged.Error(), st.Problem)
	require.Equal(t, "nothing installed yet: run birdseye clone stage, then birdseye clone install cold", st.Targets[0].Advice)
}
