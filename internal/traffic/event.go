package traffic

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird"
)

// ConnectionType is P2P for a flow between two peers and ROUTED for one
// that went through a routing peer to a network resource (the server's
// connection_type filter): the destination is not a peer, or the record
// comes from a reporter that is neither end.
func ConnectionType(e netbird.TrafficEvent) string {
	if t := e.Destination.Type; t != "" && !strings.EqualFold(t, "PEER") {
		return "ROUTED"
	}
	if r := e.ReporterID; r != "" && e.Source.ID != "" && e.Destination.ID != "" && r != e.Source.ID && r != e.Destination.ID {
		return "ROUTED"
	}
	return "P2P"
}

// Types are the event types a record holds (TYPE_START, TYPE_END,
// TYPE_DROP), from its events or, when it lists none, from its counts.
func Types(e netbird.TrafficEvent) []string {
	var out []string
	for _, s := range e.Events {
		if s.Type != "" && !slices.Contains(out, s.Type) {
			out = append(out, s.Type)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, c := range []struct {
		n int
		t string
	}{{e.NumOfStarts, "TYPE_START"}, {e.NumOfEnds, "TYPE_END"}, {e.NumOfDrops, "TYPE_DROP"}} {
		if c.n > 0 {
			out = append(out, c.t)
		}
	}
	return out
}

// Labels are what *_TRAFFIC_INCLUDE and *_TRAFFIC_EXCLUDE match: the event
// types, the connection type, the direction and the protocol name.
func Labels(e netbird.TrafficEvent) []string {
	out := append(Types(e), ConnectionType(e))
	if e.Direction != "" {
		out = append(out, e.Direction)
	}
	return append(out, ProtocolName(e.Protocol))
}

// Service is the protocol with the destination port ("tcp/5432") or ICMP
// type ("icmp type 8").
func Service(e netbird.TrafficEvent) string {
	p := ProtocolName(e.Protocol)
	if e.Protocol == 1 || e.Protocol == 58 {
		if e.ICMP.Type != 0 || e.ICMP.Code != 0 {
			return fmt.Sprintf("%s type %d", p, e.ICMP.Type)
		}
		return p
	}
	if _, port, err := net.SplitHostPort(e.Destination.Address); err == nil && port != "" && port != "0" {
		return p + "/" + port
	}
	return p
}

// Who is the short name of an endpoint: its name, else its address without
// the port.
func Who(ep netbird.TrafficEndpoint) string {
	if ep.Name != "" {
		return ep.Name
	}
	if host, _, err := net.SplitHostPort(ep.Address); err == nil {
		return host
	}
	return ep.Address
}

var verbs = map[string]string{"blocked": "blocked", "ended": "ended", "open": "started"}

// Event turns a record into an event for the sinks: code traffic.blocked,
// traffic.ended or traffic.started; an activity read at a glance
// ("blocked: alice-laptop → db-server tcp/5432 (policy 'Admins')"); the
// user (else the source) as initiator; the details as meta.
func Event(e netbird.TrafficEvent) event.Event {
	verb := verbs[Status(e)]
	act := fmt.Sprintf("%s: %s → %s %s", verb, Who(e.Source), Who(e.Destination), Service(e))
	if e.Policy.Name != "" {
		act += fmt.Sprintf(" (policy '%s')", e.Policy.Name)
	}
	ts := e.WindowStart
	if t := at(e); !t.IsZero() {
		ts = t.UTC().Format(time.RFC3339Nano)
	}
	meta := event.Meta{
		{Key: "source", Value: e.Source.Address},
		{Key: "destination", Value: e.Destination.Address},
		{Key: "connection", Value: ConnectionType(e)},
		{Key: "direction", Value: e.Direction},
		{Key: "reporter", Value: e.ReporterID},
	}
	if e.User.Email != "" || e.User.Name != "" {
		meta = append(meta, event.MetaField{Key: "user", Value: firstNonEmpty(e.User.Email, e.User.Name)})
	}
	if e.NumOfDrops > 0 {
		meta = append(meta, event.MetaField{Key: "drops", Value: strconv.Itoa(e.NumOfDrops)})
	} else {
		meta = append(meta, event.MetaField{Key: "rx_bytes", Value: strconv.FormatInt(e.RxBytes, 10)}, event.MetaField{Key: "tx_bytes", Value: strconv.FormatInt(e.TxBytes, 10)})
	}
	meta = slices.DeleteFunc(meta, func(f event.MetaField) bool { return f.Value == "" })
	return event.Event{
		Stream:         event.StreamTraffic,
		Key:            key(e),
		Labels:         Labels(e),
		Timestamp:      ts,
		ActivityCode:   "traffic." + verb,
		Activity:       act,
		InitiatorID:    e.User.ID,
		InitiatorEmail: e.User.Email,
		InitiatorLabel: firstNonEmpty(e.User.Email, e.User.Name, Who(e.Source)),
		TargetID:       e.Destination.ID,
		Object:         Who(e.Destination) + " " + Service(e),
		Meta:           meta,
	}
}

// Source is the traffic stream for `birdseye run` (stream.Source): the
// records after a cursor as events, reading at most MaxPages of PageSize.
type Source struct {
	API      API
	MaxPages int
	PageSize int
	// Behind, when set, is told when a poll left records for later: more
	// were waiting than one poll reads.
	Behind func(waiting int)
}

// Poll reads the records after cur.
func (s Source) Poll(ctx context.Context, cur Cursor) ([]event.Event, Cursor, error) {
	recs, next, waiting, err := Poll(ctx, s.API, netbird.TrafficFilter{}, cur, s.MaxPages, s.PageSize)
	if err != nil {
		return nil, cur, err
	}
	if waiting > 0 && s.Behind != nil {
		s.Behind(waiting)
	}
	out := make([]event.Event, len(recs))
	for i, r := range recs {
		out[i] = Event(r)
	}
	return out, next, nil
}
