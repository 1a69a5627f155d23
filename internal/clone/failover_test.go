package clone

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTheFailoverScriptIsPlacedInTheTargetRootAndRun(t *testing.T) {
	c := dialStandby(t)
	standby := t.TempDir()
	target := Target{Name: "cold", Root: filepath.Join(standby, "cold stack"), Project: "cold", Compose: "docker-compose.yml"}
	sb := Standby{Shell: c, Payload: filepath.Join(standby, "incoming")}
	b, err := FailoverScript{Target: target, Primary: "nb.example.com"}.Render()
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(sb.Payload, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(sb.Payload, "failover.sh"), b, 0o600))

	require.NoError(t, sb.PlaceFailoverScript(target))
	placed := filepath.Join(target.Root, "failover.sh")
	fi, err := os.Stat(placed)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
	got, _ := os.ReadFile(placed)
	require.Equal(t, b, got)

	// Replace it with a script that shows it ran where it should: the
	// real one needs a Docker engine, which is the end-to-end test's part.
	require.NoError(t, os.WriteFile(placed, []byte("echo failing over in \"$(dirname \"$0\")\"\n"), 0o700))
	var out bytes.Buffer
	require.NoError(t, sb.Failover(context.Background(), target, &out))
	require.Equal(t, "failing over in "+target.Root+"\n", out.String())

	require.NoError(t, os.WriteFile(placed, []byte("exit 5\n"), 0o700))
	err = sb.Failover(context.Background(), target, &out)
	require.ErrorContains(t, err, "failover to cold FAILED")
}

func TestPlacingTheFailoverScriptNeedsAStagedPayload(t *testing.T) {
	sb := Standby{Shell: dialStandby(t), Payload: filepath.Join(t.TempDir(), "incoming")}
	err := sb.PlaceFailoverScript(Target{Name: "cold", Root: t.TempDir()})
	require.ErrorContains(t, err, "read failover.sh in the payload on the standby")
}
