package mattermost

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/proxylog"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/traffic"
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func blocked(i int, src, dst, port string) event.Event {
	var r netbird.TrafficEvent
	r.FlowID, r.ReporterID, r.Protocol, r.Direction, r.NumOfDrops = fmt.Sprint("flow", i), "p2", 6, "INGRESS", 1
	r.Source.ID, r.Source.Name, r.Source.Address = "p1", src, "100.77.0.1:50000"
	r.Destination.ID, r.Destination.Name, r.Destination.Address = "p2", dst, "100.77.0.2:"+port
	r.WindowStart = t0.Add(time.Duration(i) * time.Second).Format(time.RFC3339)
	return traffic.Event(r)
}

func TestManyBlockedConnectionsFromOneSourceAreOneLine(t *testing.T) {
	mm, s, _ := setup(t)
	var evs []event.Event
	for i := range 40 {
		port := "5432"
		if i%4 == 0 {
			port = "22"
		}
		evs = append(evs, blocked(i, "alice-laptop", "db-server", port))
	}
	evs = append(evs, blocked(50, "bob-pc", "db-server", "5432"), ev(7, "Admins"), blocked(51, "bob-pc", "web", "443"))
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: evs}))
	posts := mm.Posts()
	require.Len(t, posts, 1)
	require.Equal(t, strings.Join([]string{
		"`2026-11-23 08:00:00`–`2026-11-23 08:00:39`  **40 blocked connections** from alice-laptop: db-server tcp/5432 ×30, db-server tcp/22 ×10",
		"`2026-11-23 08:00:50`  **Blocked connection**: bob-pc → db-server tcp/5432",
		"`2026-11-23 07:13:10`  **Policy updated**: Admins  _Admin_",
		"`2026-11-23 08:00:51`  **Blocked connection**: bob-pc → web tcp/443",
	}, "\n"), posts[0].Text)
}

func TestAProxyRowKeepsIPv6AddressesAwayFromEmojiParsing(t *testing.T) {
	e := proxylog.Event(netbird.ProxyLog{ID: "r", Timestamp: t0, Method: "GET", Host: "grafana.example.com", Path: "/", StatusCode: 403,
		SourceIP: "2001:db8::1", Reason: "denied by access policy", UserID: "alice"})
	lines, lineOf := Lines(sink.Batch{Events: []event.Event{e}}, time.UTC, 0)
	require.Equal(t, []int{0}, lineOf)
	require.Equal(t, "`2026-11-23 08:00:00`  **Request refused or failed**: 403 GET grafana.example.com/ from `2001:db8::1`: denied by access policy  _alice_", lines[0])
}

func TestAFailedPostCountsOnlyEventsWhoseLinesAllWentOut(t *testing.T) {
	// events 0,2,4 share the summary on line 0; 1 and 3 have lines 1 and 2
	lineOf := []int{0, 1, 0, 2, 0}
	require.Equal(t, 0, sink.Delivered(lineOf, 0))
	require.Equal(t, 1, sink.Delivered(lineOf, 1), "the summary went: event 0, not 1")
	require.Equal(t, 3, sink.Delivered(lineOf, 2))
	require.Equal(t, 5, sink.Delivered(lineOf, 3))
}

func TestABurstOfOneCodeByOneInitiatorIsOneLine(t *testing.T) {
	mm, s, _ := setup(t)
	s.cfg.BurstLimit = 20
	var evs []event.Event
	for i := range 200 {
		evs = append(evs, event.Event{ID: event.ID(i + 1), ActivityCode: "peer.group.add", Timestamp: t0.Add(time.Duration(i) * 10 * time.Millisecond).Format(time.RFC3339Nano),
			InitiatorName: "alice", TargetID: fmt.Sprint("peer-", i), Meta: event.Meta{{Key: "name", Value: "Ops"}}})
	}
	evs = append(evs, ev(201, "Admins"))
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: evs}))
	posts := mm.Posts()
	require.Len(t, posts, 1)
	require.Equal(t, "`2026-11-23 08:00:00`–`2026-11-23 08:00:01`  **200 × Group added to peer** by _alice_: Ops ×200\n"+
		"`2026-11-23 07:13:10`  **Policy updated**: Admins  _Admin_", posts[0].Text)

	s.cfg.BurstLimit = 0
	lines, _ := Lines(sink.Batch{Events: evs[:25]}, time.UTC, 0)
	require.Len(t, lines, 25, "BURST_LIMIT=0: a line each")
	lines, _ = Lines(sink.Batch{Events: evs[:20]}, time.UTC, 20)
	require.Len(t, lines, 20, "twenty is not more than twenty")
}
