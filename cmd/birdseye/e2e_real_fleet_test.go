package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/realtest"
)

// The fleet metrics of a real v0.77.1 server, scraped from a running
// daemon with an auditor's token: the counts are the API's own (peers,
// connected, groups, users by role, setup keys by state, policies), and
// a routing peer that stays connected makes its route count as up.
func TestE2ERealFleetMetricsAreTheServersCounts(t *testing.T) {
	s := startReal(t)
	_, auditor := s.ServiceUser(t, "fleet", "auditor")
	s.ServiceUser(t, "ci-bot", "user")
	_, key := s.SetupKey(t, "office", realtest.SetupKeyOptions{UsageLimit: 5})
	online := s.Enrol(t, key, true, "router-1")
	defer online.Disconnect()
	s.Enrol(t, key, false, "laptop-1", "laptop-2")
	s.WaitConnected(t, 1)
	routers := s.Group(t, "Routers", online.IDs()...)
	s.MustDo(t, s.OwnerToken, "POST", "/api/routes", jsonObj{"network_id": "office-lan", "description": "", "enabled": true, "metric": 9999,
		"masquerade": true, "keep_route": false, "network": "10.77.0.0/24", "peer_groups": []string{routers}, "groups": []string{routers}}, nil)

	addr := freeAddr(t)
	env := []string{"PATH=/usr/bin:/bin", "NB_URL=" + s.URL, "NB_API_KEY=" + auditor, "STATE_FILE=" + filepath.Join(t.TempDir(), "state.json"),
		"TZ=UTC", "WATCH=on", "FLEET_METRICS=on", "METRICS_ADDR=" + addr, "CHANGE_DIFFS=off", "STDOUT_INCLUDE="}
	d := start(t, env)
	d.waitLog("fleet metrics on")
	d.waitFor("the fleet gauges", func() bool {
		_, body := get(addr, "/metrics")
		return strings.Contains(body, "netbird_routes{")
	})
	_, body := get(addr, "/metrics")
	gauge := func(series string) string {
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(body)
		require.NotNil(t, m, "%s not in the scrape", series)
		return m[1]
	}
	peers := realList(t, s, "/api/peers")
	connected := 0
	for _, p := range peers {
		if p["connected"] == true {
			connected++
		}
	}
	require.Equal(t, fmt.Sprint(len(peers)), gauge("netbird_peers"))
	require.Equal(t, fmt.Sprint(connected), gauge("netbird_peers_connected"))
	require.Equal(t, "1", gauge(`netbird_peers_by_group{group="Routers"}`))
	require.Equal(t, fmt.Sprint(len(peers)), gauge(`netbird_peers_by_group{group="All"}`))
	require.Equal(t, "1", gauge("netbird_routing_peers"))
	require.Equal(t, "1", gauge("netbird_routing_peers_connected"))
	require.Equal(t, "1", gauge(`netbird_routes{state="up"}`))
	require.Equal(t, "1", gauge(`netbird_routing_peer_connected{peer="router-1"}`))
	users := realList(t, s, "/api/users")
	require.Equal(t, fmt.Sprint(len(users)), gauge("netbird_users"), "the auditor reads every user")
	require.Equal(t, "1", gauge(`netbird_users_by_role{role="owner"}`))
	require.Equal(t, "2", gauge("netbird_users_service"))
	require.Equal(t, "1", gauge(`netbird_setup_keys{state="valid"}`))
	require.Equal(t, "2", gauge(`netbird_setup_key_uses_left{name="office"}`), "5 uses, 3 peers enrolled")
	policies := realList(t, s, "/api/policies")
	require.Equal(t, fmt.Sprint(len(policies)), gauge(`netbird_policies{enabled="true"}`), "the default policy")
	require.Equal(t, "1", gauge(`netbird_management_info{version="0.77.1"}`))
	require.Contains(t, body, "netbird_peers_by_version{version=")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
}
