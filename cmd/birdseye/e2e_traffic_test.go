package main

import (
	"encoding/json"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/netbird/fake"
)

func TestE2ETrafficListFiltersOnTheServerAndPrintsTableOrJSON(t *testing.T) {
	f, api := newAPI(t)
	start0 := time.Now().Add(-30 * time.Minute).UTC().Truncate(time.Second)
	f.EnableTraffic(
		fake.Flow{Source: "alice-laptop", Destination: "db-server", SourceIP: "100.77.0.1", DestIP: "100.77.0.2", Protocol: 6,
			Direction: "EGRESS", Policy: "Admins to Servers", User: "alice@example.com", Start: start0},
		fake.Flow{Source: "bob-laptop", Destination: "db-server", SourceIP: "100.77.0.3", DestIP: "100.77.0.2", Protocol: 17,
			Direction: "EGRESS", User: "bob@example.com", Drops: 1, Start: start0.Add(time.Minute)},
	)
	d := start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "traffic", "list", "--type", "dropped", "--protocol", "udp", "--since", "1h")
	require.Equal(t, 0, d.waitExit(), d.logs())
	out := d.stdout()
	require.Len(t, out, 2, "a header and the one blocked udp flow")
	require.Regexp(t, `^START\s+STATUS\s+SOURCE`, out[0])
	require.Regexp(t, `blocked\s+bob-laptop \(100\.77\.0\.3\)\s+→\s+db-server \(100\.77\.0\.2\)\s+udp\s+EGRESS`, out[1])

	var q url.Values
	for _, r := range f.Requests() {
		if r.Path == "/api/events/network-traffic" {
			q, _ = url.ParseQuery(r.Query)
		}
	}
	require.Equal(t, "TYPE_DROP", q.Get("type"))
	require.Equal(t, "17", q.Get("protocol"))
	since, err := time.Parse(time.RFC3339, q.Get("start_date"))
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(-time.Hour), since, time.Minute)

	d = start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "traffic", "list", "-o", "json")
	require.Equal(t, 0, d.waitExit(), d.logs())
	var flows []netbird.TrafficEvent
	require.NoError(t, json.Unmarshal([]byte(strings.Join(d.stdout(), "\n")), &flows))
	require.Len(t, flows, 2)
	require.Empty(t, f.Writes(), "a read command writes nothing")
}

func TestE2ETrafficListOnASelfHostedServerSaysWhy(t *testing.T) {
	_, api := newAPI(t) // traffic not enabled: the plain-text 404 of a self-hosted server
	d := start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "traffic", "list")
	require.Equal(t, 1, d.waitExit())
	require.Contains(t, d.logs(), "this NetBird server has no network traffic events")
	require.Empty(t, d.stdout(), "no empty table that would read as 'no traffic'")
}

func TestE2ETrafficListNamesTheBadFlag(t *testing.T) {
	_, api := newAPI(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--type", "sideways"}, `--type="sideways"; expected started, ended or dropped`},
		{[]string{"--direction", "up"}, `birdseye: --direction="up"; expected INGRESS or EGRESS`},
		{[]string{"--connection-type", "relay"}, `birdseye: --connection-type="relay"; expected P2P or ROUTED`},
		{[]string{"--protocol", "sctp"}, `--protocol`},
		{[]string{"--since", "yesterday"}, `--since`},
		{[]string{"--since", "1h", "--until", "2h"}, `--until is before --since`},
		{[]string{"--limit", "0"}, `--limit=0 is out of range; expected 1 to 10000`},
	} {
		d := start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), append([]string{"traffic", "list"}, tc.args...)...)
		require.Equal(t, 2, d.waitExit(), tc.args)
		require.Contains(t, d.logs(), tc.want, tc.args)
	}
}

func TestE2ETrafficListFlowsFoldsRecordsIntoConnections(t *testing.T) {
	f, api := newAPI(t)
	t0 := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	f.EnableTraffic(
		fake.Flow{Source: "alice-laptop", Destination: "db-server", SourceIP: "100.77.0.1", DestIP: "100.77.0.2", Protocol: 6, Direction: "EGRESS", Start: t0},
		fake.Flow{Source: "bob-laptop", Destination: "db-server", SourceIP: "100.77.0.3", DestIP: "100.77.0.2", Protocol: 17, Direction: "EGRESS", Drops: 1, Start: t0.Add(time.Minute)},
	)
	d := start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "traffic", "list", "--flows")
	require.Equal(t, 0, d.waitExit(), d.logs())
	out := d.stdout()
	require.Len(t, out, 3)
	require.Regexp(t, `^START\s+END\s+STATE\s+INITIATOR`, out[0])
	require.Regexp(t, `blocked\s+bob-laptop`, out[1], "newest first")
	require.Regexp(t, `open\s+alice-laptop \(100\.77\.0\.1\)\s+→\s+db-server`, out[2])

	d = start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "traffic", "list", "--flows", "-o", "json")
	require.Equal(t, 0, d.waitExit(), d.logs())
	var conns []map[string]any
	require.NoError(t, json.Unmarshal([]byte(strings.Join(d.stdout(), "\n")), &conns))
	require.Len(t, conns, 2)
	require.Equal(t, true, conns[0]["blocked"])
	require.EqualValues(t, 2000, conns[1]["out_bytes"], "the initiator's tx")
}

func TestE2ETrafficTailFollowsNewRecordsOnceUntilSIGTERM(t *testing.T) {
	f, api := newAPI(t)
	now := time.Now().UTC()
	f.EnableTraffic(fake.Flow{Source: "alice-laptop", Destination: "db-server", SourceIP: "100.77.0.1", DestIP: "100.77.0.2", Protocol: 6, Direction: "EGRESS", Start: now.Add(-10 * time.Minute)})
	d := start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "traffic", "tail", "--interval", "0.1")
	d.waitFor("the newest record", func() bool { return len(d.stdout()) == 1 })
	require.Contains(t, d.stdout()[0], "open alice-laptop (100.77.0.1) → db-server (100.77.0.2) tcp EGRESS")

	f.EnableTraffic(fake.Flow{Source: "bob-laptop", Destination: "db-server", SourceIP: "100.77.0.3", DestIP: "100.77.0.2", Protocol: 17, Direction: "EGRESS", Drops: 1, Start: time.Now().UTC()})
	d.waitFor("the new record", func() bool { return len(d.stdout()) == 2 })
	require.Contains(t, d.stdout()[1], "blocked bob-laptop (100.77.0.3) → db-server (100.77.0.2) udp EGRESS")
	waitMorePolls(d, f, "/api/events/network-traffic", 3) // and nothing printed twice meanwhile
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
	require.Len(t, d.stdout(), 2, "each record once")
}

func TestE2ETrafficTailOnASelfHostedServerStopsWithTheReason(t *testing.T) {
	_, api := newAPI(t)
	d := start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "traffic", "tail", "--interval", "0.1")
	require.Equal(t, 1, d.waitExit())
	require.Contains(t, d.logs(), "this NetBird server has no network traffic events")
}
