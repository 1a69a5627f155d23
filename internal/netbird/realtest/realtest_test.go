package realtest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// The kit starts a server with an owner, makes service users and enrols
// peers that show as connected while they stay, and disconnected after.
func TestKitStartsAServerWithUsersAndPeers(t *testing.T) {
	s := Start(t)
	require.NotEmpty(t, s.OwnerToken)
	for _, f := range []string{"store.db", "events.db", "idp.db"} {
		_, err := os.Stat(filepath.Join(s.DataDir, f))
		require.NoError(t, err, f)
	}
	_, auditor := s.ServiceUser(t, "kit-auditor", "auditor")
	code, body, err := s.Do("GET", "/api/users/current", auditor, nil)
	require.NoError(t, err)
	require.Equal(t, 403, code, "a service user cannot read /api/users/current: %s", body)

	_, key := s.SetupKey(t, "kit", SetupKeyOptions{})
	peers := s.Enrol(t, key, true, "kit-a", "kit-b")
	require.Len(t, peers.List, 2)
	s.WaitConnected(t, 2)
	peers.Disconnect()
	s.WaitConnected(t, 0)

	var version map[string]any
	s.MustDo(t, auditor, "GET", "/api/instance/version", nil, &version)
	require.Equal(t, "0.77.1", version["management_current_version"])
	b, _ := json.Marshal(version)
	t.Logf("version: %s", b)
}

// Two servers run side by side, each with its own account.
func TestKitRunsTwoServersAtOnce(t *testing.T) {
	a, b := Start(t), Start(t)
	require.NotEqual(t, a.URL, b.URL)
	code, _, err := a.Do("GET", "/api/peers", b.OwnerToken, nil)
	require.NoError(t, err)
	require.NotEqual(t, 200, code, "one server's token is unknown to the other")
}
