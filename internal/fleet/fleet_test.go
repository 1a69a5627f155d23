package fleet

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/netbird"
)

var now = time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)

func scrape(m *metrics.M) string {
	var b strings.Builder
	m.WritePrometheus(&b)
	return b.String()
}

func TestASnapshotBecomesTheFleetGauges(t *testing.T) {
	m := metrics.New()
	routers := []netbird.GroupRef{{ID: "g-r", Name: "Routers"}}
	s := Snapshot{
		Peers: []netbird.Peer{
			{ID: "r1", Name: "office-router", OS: "Ubuntu 24.04 LTS", Version: "0.77.1", Connected: true, Groups: routers, CountryCode: "DE", SSHEnabled: true},
			{ID: "r2", Name: "lab-router", OS: "Debian GNU/Linux 12", Version: "0.77.1", Groups: routers, CountryCode: "DE"},
			{ID: "p1", Name: "laptop", OS: "Darwin", Version: "0.76.2", Connected: true, LoginExpired: true, Groups: []netbird.GroupRef{{ID: "g-all", Name: "All"}}},
			{ID: "p2", Name: "new", OS: "", ApprovalRequired: true},
		},
		Users: []netbird.User{
			{ID: "u1", Role: "owner", LastLogin: now.Add(-2 * time.Hour)},
			{ID: "u2", Role: "admin", LastLogin: now.Add(-40 * 24 * time.Hour), IsBlocked: true},
			{ID: "u3", Role: "user"},
			{ID: "s1", Role: "auditor", IsServiceUser: true},
		},
		SetupKeys: []netbird.SetupKey{
			{Name: "office", Type: "reusable", State: "valid", Valid: true, UsageLimit: 10, UsedTimes: 7},
			{Name: "old", State: "expired"},
			{Name: "gone", State: "revoked", Revoked: true},
			{Name: "unlimited", Type: "reusable", State: "valid", Valid: true},
		},
		Routes:   []netbird.Route{{ID: "a", Enabled: true, PeerGroups: []string{"g-r"}}, {ID: "b", Enabled: true, Peer: "r2"}, {ID: "c", Enabled: false, Peer: "r1"}},
		Routers:  []netbird.NetworkRouter{{ID: "n", Enabled: true, Peer: "r2"}},
		Policies: []netbird.Policy{{Enabled: true}, {Enabled: true}, {Enabled: false}},
		Routing:  map[string]bool{"r1": true, "r2": true},
	}
	Record(m, s, now)
	body := scrape(m)
	for _, want := range []string{
		"netbird_peers 4\n", "netbird_peers_connected 2\n", "netbird_peers_login_expired 1\n", "netbird_peers_approval_required 1\n",
		"netbird_peers_ssh_enabled 1\n", "netbird_routing_peers 2\n", "netbird_routing_peers_connected 1\n",
		`netbird_peers_by_os{os="ubuntu"} 1`, `netbird_peers_by_os{os="debian"} 1`, `netbird_peers_by_os{os="darwin"} 1`, `netbird_peers_by_os{os="unknown"} 1`,
		`netbird_peers_by_version{version="0.77.1"} 2`, `netbird_peers_by_version{version="unknown"} 1`,
		`netbird_peers_by_group{group="Routers"} 2`, `netbird_peers_by_country{country="DE"} 2`, `netbird_peers_by_country{country="unknown"} 2`,
		"netbird_users 4\n", `netbird_users_by_role{role="owner"} 1`, "netbird_users_blocked 1\n", "netbird_users_service 1\n",
		`netbird_users_by_last_login{within="1d"} 1`, `netbird_users_by_last_login{within="90d"} 1`, `netbird_users_by_last_login{within="never"} 1`,
		`netbird_setup_keys{state="valid"} 2`, `netbird_setup_keys{state="expired"} 1`, `netbird_setup_keys{state="revoked"} 1`, `netbird_setup_keys{state="overused"} 0`,
		`netbird_setup_key_uses_left{name="office"} 3`,
		`netbird_routes{state="up"} 1`, `netbird_routes{state="down"} 1`, `netbird_routes{state="disabled"} 1`,
		`netbird_network_routers{state="down"} 1`,
		`netbird_policies{enabled="true"} 2`, `netbird_policies{enabled="false"} 1`,
		`netbird_routing_peer_connected{peer="office-router"} 1`, `netbird_routing_peer_connected{peer="lab-router"} 0`,
	} {
		require.Contains(t, body, want)
	}
	require.NotContains(t, body, `name="unlimited"`, "a key without a limit has no uses left to count")
	require.NotContains(t, body, `netbird_routing_peer_connected{peer="laptop"}`, "only routing peers are named one by one")

	// A round that did not read the users leaves their gauges; peers that
	// changed change theirs, and a version no peer runs goes.
	s = Snapshot{Peers: []netbird.Peer{{ID: "r1", Version: "0.78.0", Connected: true}}}
	Record(m, s, now)
	body = scrape(m)
	require.Contains(t, body, "netbird_peers 1\n")
	require.Contains(t, body, `netbird_peers_by_version{version="0.78.0"} 1`)
	require.NotContains(t, body, `version="0.77.1"`)
	require.Contains(t, body, "netbird_users 4\n")
}

// However many versions, groups or countries an account has, a family
// has MaxSeries series: the largest, and the rest as "other".
func TestALabelledFamilyIsBounded(t *testing.T) {
	m := metrics.New()
	var ps []netbird.Peer
	for i := range 100 {
		g := netbird.GroupRef{ID: fmt.Sprint("g", i), Name: fmt.Sprint("group-", i)}
		for range i % 5 {
			ps = append(ps, netbird.Peer{ID: fmt.Sprint("p", len(ps)), Groups: []netbird.GroupRef{g}})
		}
	}
	Record(m, Snapshot{Peers: ps}, now)
	body := scrape(m)
	require.Equal(t, MaxSeries, strings.Count(body, "netbird_peers_by_group{"))
	require.Contains(t, body, `netbird_peers_by_group{group="other"} `)
	total := 0.0
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "netbird_peers_by_group{") {
			var v float64
			fmt.Sscan(line[strings.LastIndex(line, " ")+1:], &v)
			total += v
		}
	}
	require.Equal(t, float64(len(ps)), total, "nothing lost in the bound: every peer's group membership is counted")
}
