package traffic

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird"
)

func rec(flow, reporter, dir string, start time.Time, tx, rx int64) netbird.TrafficEvent {
	r := netbird.TrafficEvent{FlowID: flow, ReporterID: reporter, Direction: dir, Protocol: 6, TxBytes: tx, RxBytes: rx, TxPackets: tx / 10, RxPackets: rx / 10,
		WindowStart: start.Format(time.RFC3339Nano), WindowEnd: start.Add(time.Minute).Format(time.RFC3339Nano)}
	r.Source = netbird.TrafficEndpoint{ID: "pa", Name: "alice-laptop", Address: "100.77.0.1:51000"}
	r.Destination = netbird.TrafficEndpoint{ID: "pd", Name: "db-server", Address: "100.77.0.2:5432"}
	r.Policy.Name = "Admins to Servers"
	r.User.Email = "alice@example.com"
	return r
}

func TestCorrelateFoldsReportersAndWindowsIntoOneConnection(t *testing.T) {
	a1 := rec("A", "pa", "EGRESS", t0, 100, 1000)                // initiator, first minute
	a2 := rec("A", "pa", "EGRESS", t0.Add(time.Minute), 50, 500) // initiator, second minute, ends
	a2.NumOfEnds = 1
	a3 := rec("A", "pd", "INGRESS", t0, 1000, 100) // responder saw the same first minute
	b := rec("B", "pr", "EGRESS", t0.Add(-time.Hour), 0, 0)
	b.NumOfDrops = 1
	lone := rec("", "pa", "EGRESS", t0.Add(time.Hour), 1, 1)
	lone.ID = "x1"
	lone2 := rec("", "pa", "EGRESS", t0.Add(2*time.Hour), 1, 1)
	lone2.ID = "x2"

	conns := Correlate([]netbird.TrafficEvent{a2, lone, a1, b, a3, lone2})
	require.Len(t, conns, 4, "flow A, flow B, and two records without a flow id")
	require.Equal(t, []string{"B", "A", "", ""}, []string{conns[0].FlowID, conns[1].FlowID, conns[2].FlowID, conns[3].FlowID}, "oldest first")

	a := conns[1]
	require.Equal(t, 3, a.Records)
	require.Equal(t, "alice-laptop", a.Initiator.Name)
	require.Equal(t, "db-server", a.Responder.Name)
	require.Equal(t, int64(150), a.OutBytes, "initiator → responder over both windows, not doubled by the responder's report")
	require.Equal(t, int64(1500), a.InBytes)
	require.Equal(t, int64(15), a.OutPackets)
	require.Equal(t, t0, a.Start)
	require.Equal(t, t0.Add(2*time.Minute), a.End)
	require.Equal(t, "ended", a.State())
	require.Empty(t, a.Routers)

	require.Equal(t, "blocked", conns[0].State())
	require.Equal(t, []string{"pr"}, conns[0].Routers, "a reporter that is neither end is the routing peer")
	require.Equal(t, "open", conns[2].State())
}

func TestCorrelateWithOnlyTheRespondersReportStillCountsEachWayRight(t *testing.T) {
	conns := Correlate([]netbird.TrafficEvent{rec("C", "pd", "INGRESS", t0, 7000, 300)})
	require.Equal(t, int64(300), conns[0].OutBytes, "what the responder received came from the initiator")
	require.Equal(t, int64(7000), conns[0].InBytes)
}

func TestConnTableReadsAsOneRowPerConnection(t *testing.T) {
	a := rec("A", "pa", "EGRESS", t0, 100, 1000)
	a.NumOfEnds = 1
	var b bytes.Buffer
	ConnTable(&b, Correlate([]netbird.TrafficEvent{a}), time.UTC)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	require.Len(t, lines, 2)
	require.Regexp(t, `^2026-11-23 08:00:00\s+2026-11-23 08:01:00\s+ended\s+alice-laptop \(100\.77\.0\.1:51000\)\s+→\s+db-server \(100\.77\.0\.2:5432\)\s+-\s+tcp\s+Admins to Servers\s+alice@example\.com\s+100/1000\s+10/100\s+1$`, lines[1])
}
