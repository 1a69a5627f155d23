package traffic

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/netbird/nbtest"
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func flows(n int) []fake.Flow {
	var out []fake.Flow
	for i := range n {
		f := fake.Flow{Source: "alice-laptop", Destination: "db-server", SourceIP: "100.77.0.1", DestIP: "100.77.0.2", Protocol: 6,
			Direction: "EGRESS", Policy: "Admins to Servers", User: "alice@example.com", Start: t0.Add(time.Duration(i) * time.Second)}
		if i%3 == 0 {
			f.Drops, f.Protocol = 1, 17
		}
		out = append(out, f)
	}
	return out
}

func TestListPagesAndSendsTheFiltersToTheServer(t *testing.T) {
	f, c := nbtest.Start(t, fake.AuditorToken)
	f.EnableTraffic(flows(25)...)
	got, err := List(t.Context(), c, netbird.TrafficFilter{Type: "TYPE_DROP", Protocol: 17, Direction: "EGRESS", Search: "alice", Start: t0}, 100, 4)
	require.NoError(t, err)
	require.Len(t, got, 9, "flows 0,3,…,24 are the blocked udp ones")
	var queries []url.Values
	for _, r := range f.Requests() {
		if r.Path == "/api/events/network-traffic" {
			q, _ := url.ParseQuery(r.Query)
			queries = append(queries, q)
		}
	}
	require.Len(t, queries, 3, "9 flows at 4 a page")
	q := queries[0]
	require.Equal(t, "TYPE_DROP", q.Get("type"))
	require.Equal(t, "17", q.Get("protocol"))
	require.Equal(t, "EGRESS", q.Get("direction"))
	require.Equal(t, "alice", q.Get("search"))
	require.Equal(t, "2026-11-23T08:00:00Z", q.Get("start_date"))
	require.Equal(t, []string{"1", "2", "3"}, []string{queries[0].Get("page"), queries[1].Get("page"), queries[2].Get("page")})

	got, err = List(t.Context(), c, netbird.TrafficFilter{}, 10, 1000)
	require.NoError(t, err)
	require.Len(t, got, 10, "the limit holds")
}

func TestALimitBetweenPagesNeitherSkipsNorRepeatsFlows(t *testing.T) {
	f, c := nbtest.Start(t, fake.AuditorToken)
	f.EnableTraffic(flows(25)...)
	all, err := List(t.Context(), c, netbird.TrafficFilter{}, 100, 100)
	require.NoError(t, err)
	require.Len(t, all, 25)
	got, err := List(t.Context(), c, netbird.TrafficFilter{}, 10, 4) // pages of 4, 4, then 2 of the third
	require.NoError(t, err)
	require.Len(t, got, 10)
	for i := range got {
		require.Equal(t, all[i].FlowID, got[i].FlowID, "flow %d", i)
	}
}

func TestASelfHostedServerSaysItHasNoTrafficEvents(t *testing.T) {
	_, c := nbtest.Start(t, fake.AuditorToken) // traffic not enabled: plain-text 404
	_, err := List(t.Context(), c, netbird.TrafficFilter{}, 10, 10)
	require.ErrorIs(t, err, ErrUnavailable)
}

func TestTableAtAGlance(t *testing.T) {
	f, c := nbtest.Start(t, fake.AuditorToken)
	f.EnableTraffic(flows(2)...)
	got, err := List(t.Context(), c, netbird.TrafficFilter{}, 10, 10)
	require.NoError(t, err)
	var out bytes.Buffer
	Table(&out, got, time.UTC)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 3)
	require.Regexp(t, `^2026-11-23 08:00:00\s+blocked\s+alice-laptop \(100\.77\.0\.1\)\s+→\s+db-server \(100\.77\.0\.2\)\s+udp\s+EGRESS\s+Admins to Servers\s+alice@example.com\s+1000/2000$`, lines[1])
	require.Regexp(t, `^2026-11-23 08:00:01\s+open\s+.*\s+tcp\s`, lines[2])
}

func TestParsers(t *testing.T) {
	for in, want := range map[string]int{"tcp": 6, "UDP": 17, "icmp": 1, "47": 47, "": 0} {
		got, err := ParseProtocol(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got)
	}
	_, err := ParseProtocol("http")
	require.ErrorContains(t, err, `protocol "http" is not tcp, udp, icmp or a number from 1 to 255`)
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{"1h": now.Add(-time.Hour), "7d": now.Add(-7 * 24 * time.Hour), "2026-11-23T08:00:00Z": t0, "": {}} {
		got, err := ParseTime(in, now)
		require.NoError(t, err, in)
		require.True(t, want.Equal(got), in)
	}
	_, err = ParseTime("yesterday", now)
	require.ErrorContains(t, err, `"yesterday" is neither RFC 3339`)
}
