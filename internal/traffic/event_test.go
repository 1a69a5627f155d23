package traffic

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/render"
)

func record(t *testing.T, js string) netbird.TrafficEvent {
	var e netbird.TrafficEvent
	require.NoError(t, json.Unmarshal([]byte(js), &e))
	return e
}

func TestABlockedRecordReadsAtAGlanceAndCarriesItsLabels(t *testing.T) {
	e := record(t, `{"flow_id":"f1","reporter_id":"p2","source":{"id":"p1","type":"PEER","name":"alice-laptop","address":"100.77.0.1:51000"},
		"destination":{"id":"p2","type":"PEER","name":"db-server","address":"100.77.0.2:5432"},
		"user":{"id":"u1","email":"alice@example.com"},"policy":{"id":"pol","name":"Admins"},"protocol":6,"direction":"INGRESS",
		"num_of_drops":3,"window_start":"2026-11-23T08:00:00Z","window_end":"2026-11-23T08:01:00Z","events":[{"type":"TYPE_DROP","timestamp":"2026-11-23T08:00:01Z"}]}`)
	ev := Event(e)
	require.Equal(t, "traffic.blocked", ev.ActivityCode)
	require.Equal(t, "blocked: alice-laptop → db-server tcp/5432 (policy 'Admins')", ev.Activity)
	require.Equal(t, []string{"TYPE_DROP", "P2P", "INGRESS", "tcp"}, ev.Labels)
	require.Equal(t, "alice@example.com", ev.Initiator())
	require.Equal(t, "f1|p2|INGRESS|2026-11-23T08:00:00Z|2026-11-23T08:01:00Z", ev.Key)
	require.Equal(t, "2026-11-23 08:00:00  traffic.blocked               alice@example.com     blocked: alice-laptop → db-server tcp/5432 (policy 'Admins')  target=p2  source='100.77.0.1:51000' destination='100.77.0.2:5432' connection='P2P' direction='INGRESS' reporter='p2' user='alice@example.com' drops='3'",
		render.Line(ev, time.UTC))
}

func TestARecordFromTheRoutingPeerIsRouted(t *testing.T) {
	e := record(t, `{"reporter_id":"router","source":{"id":"p1","name":"alice-laptop"},"destination":{"id":"r1","type":"HOST_RESOURCE","address":"10.0.0.5:443"},
		"protocol":6,"num_of_starts":1,"num_of_ends":1,"window_start":"2026-11-23T08:00:00Z"}`)
	require.Equal(t, "ROUTED", ConnectionType(e))
	require.Equal(t, []string{"TYPE_START", "TYPE_END"}, Types(e), "types from the counts when the record lists no events")
	ev := Event(e)
	require.Equal(t, "traffic.ended", ev.ActivityCode)
	require.Equal(t, "ended: alice-laptop → 10.0.0.5 tcp/443", ev.Activity)
	require.Equal(t, "alice-laptop", ev.Initiator(), "without a user the source is the initiator")

	e.Destination.Type = "PEER"
	e.Destination.ID = "p2"
	require.Equal(t, "ROUTED", ConnectionType(e), "reported by a peer that is neither end")
	e.ReporterID = "p2"
	require.Equal(t, "P2P", ConnectionType(e))
}

func TestICMPShowsItsType(t *testing.T) {
	e := record(t, `{"source":{"name":"a"},"destination":{"name":"b","address":"100.77.0.2:0"},"protocol":1,"icmp":{"type":8,"code":0},"num_of_starts":1}`)
	require.Equal(t, "icmp type 8", Service(e))
	require.Equal(t, "started: a → b icmp type 8", Event(e).Activity)
}
