package clone

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/styliteag/birdseye/internal/sshremote"
)

func TestMergeRemoteACMEOverSFTPKeepsTheStandbysAccount(t *testing.T) {
	sb := Standby{Shell: dialStandby(t)}
	remote := filepath.Join(t.TempDir(), "traefik", "acme.json")
	require.NoError(t, os.MkdirAll(filepath.Dir(remote), 0o700))
	require.NoError(t, os.WriteFile(remote, []byte(`{"le":{"Account":{"Email":"ops@standby"},"Certificates":[{"domain":{"main":"standby.example.com"},"certificate":"S","key":"S"}]}}`), 0o600))
	domains, err := sb.MergeRemoteACME([]byte(primaryACME), remote)
	require.NoError(t, err)
	require.Equal(t, []string{"nb.example.com", "proxy.example.com", "standby.example.com"}, domains)
	b, err := os.ReadFile(remote)
	require.NoError(t, err)
	require.Contains(t, string(b), "ops@standby")
	require.NotContains(t, string(b), "ops@primary")
	fi, err := os.Stat(remote)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(remote), ".*partial"))
	require.Empty(t, left)
}

func TestMergeRemoteACMECreatesAMissingStoreAndRefusesABrokenOne(t *testing.T) {
	sb := Standby{Shell: dialStandby(t)}
	remote := filepath.Join(t.TempDir(), "new", "acme.json")
	domains, err := sb.MergeRemoteACME([]byte(primaryACME), remote)
	require.NoError(t, err)
	require.Equal(t, []string{"nb.example.com", "proxy.example.com"}, domains)

	require.NoError(t, os.WriteFile(remote, []byte("not json"), 0o600))
	_, err = sb.MergeRemoteACME([]byte(primaryACME), remote)
	require.ErrorContains(t, err, "the standby's ACME store is not Traefik's acme.json")
	b, _ := os.ReadFile(remote)
	require.Equal(t, "not json", string(b), "a store it cannot read is left alone")
}

// recordingShell runs SFTP for real and records the compose commands
// instead of running them: the order around the merge, without an engine.
type recordingShell struct {
	*sshremote.Client
	cmds []string
}

func (r *recordingShell) Stream(_ context.Context, cmd string, _ io.Writer) error {
	r.cmds = append(r.cmds, cmd)
	return nil
}

func TestCopyCertificatesStopsTheIngressAroundTheMergeAndStartsItEvenOnFailure(t *testing.T) {
	sh := &recordingShell{Client: dialStandby(t)}
	sb := Standby{Shell: sh}
	ingress := Stack{Root: "/opt/traefik", Project: "traefik", Compose: "docker-compose.yml"}
	remote := filepath.Join(t.TempDir(), "acme.json")
	domains, err := sb.CopyCertificates(context.Background(), ingress, []byte(primaryACME), remote, &bytes.Buffer{})
	require.NoError(t, err)
	require.Equal(t, []string{"nb.example.com", "proxy.example.com"}, domains)
	require.Len(t, sh.cmds, 2)
	require.Contains(t, sh.cmds[0], "dc stop")
	require.Contains(t, sh.cmds[1], "dc up -d")
	require.FileExists(t, remote)

	sh.cmds = nil
	_, err = sb.CopyCertificates(context.Background(), ingress, []byte("not json"), remote, &bytes.Buffer{})
	require.ErrorContains(t, err, "CLONE_ACME_SOURCE is not Traefik's acme.json")
	require.Len(t, sh.cmds, 2, "the ingress is started again after a failed merge")
}
