package updates

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/netbird/realtest"
)

// A real v0.77.1 server offline (the test server has no egress to
// pkgs.netbird.io): its own answer carries no available version, which
// must not read as "up to date"; a mirror file then says 0.78.0 and that
// is told, and an enrolled peer's version (the real client's, 0.77.1) is
// no newer release.
func TestTheUpdateCheckReadsARealServer(t *testing.T) {
	s := realtest.Start(t)
	_, token := s.ServiceUser(t, "watcher", "auditor")
	_, key := s.SetupKey(t, "k", realtest.SetupKeyOptions{})
	s.Enrol(t, key, false, "laptop")
	c, err := netbird.New(s.URL, token)
	require.NoError(t, err)
	iv, err := c.GetInstanceVersion(t.Context())
	require.NoError(t, err)
	require.Equal(t, "0.77.1", iv.Current)

	mirror := filepath.Join(t.TempDir(), "version")
	require.NoError(t, os.WriteFile(mirror, []byte("0.78.0\n"), 0o644))
	r := Checker{API: c, Release: URLSource{URL: mirror}, Birdseye: "1.0.0"}.Read(t.Context())
	require.Empty(t, r.Errs)
	require.True(t, r.HasCurrent)
	require.Equal(t, "0.78.0", r.Management.String())
	require.Equal(t, "the release source", r.ManagementFrom)
	evs := Tell(NewState(), r, "1.0.0", []string{FromServer, FromPeers, FromRelease}, now)
	require.Len(t, evs, 1)
	require.Equal(t, "NetBird 0.78.0 is available (management runs 0.77.1)", evs[0].Activity)

	r = Checker{API: c}.Read(t.Context())
	require.Empty(t, Tell(NewState(), r, "1.0.0", []string{FromServer, FromPeers}, now), "the server and its peers know of nothing newer")
	require.Equal(t, "0 NetBird_Update - management 0.77.1 is the newest release known (release source off: from the server and the peers only)",
		"0 "+Status(NewState(), r, false, now).Name+" - "+Status(NewState(), r, false, now).Text)
}
