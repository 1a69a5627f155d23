package clone

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
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
