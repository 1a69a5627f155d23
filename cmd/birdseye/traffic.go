package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/traffic"
)

type trafficCmd struct {
	List trafficListCmd `cmd:"" help:"List network traffic events (flows), newest first, with server-side filters."`
	Tail trafficTailCmd `cmd:"" help:"Show the newest traffic records, then follow new ones, one line each."`
}

type trafficTailCmd struct {
	tailFlags
	Type      string `help:"Only started, ended or dropped."`
	Direction string `help:"Only INGRESS or EGRESS."`
	Protocol  string `help:"Only tcp, udp, icmp or an IANA number."`
	Search    string `help:"Free-text search."`
}

// Run prints the newest records, then new ones every interval. A failed poll
// is reported on stderr and retried; a refused token or a server without
// traffic events ends it.
func (c trafficTailCmd) Run(ctx context.Context, e *env) error {
	if err := c.check(); err != nil {
		return err
	}
	now := time.Now()
	f, err := trafficListCmd{Type: c.Type, Direction: c.Direction, Protocol: c.Protocol, Search: c.Search, Limit: 1}.filter(now)
	if err != nil {
		return err
	}
	t, client, err := tool(readToken, "traffic tail")
	if err != nil {
		return err
	}
	return tailRows(ctx, e, "traffic tail", c.tailFlags,
		func(r netbird.TrafficEvent) string { return traffic.Line(r, t.Log.TZ.Loc) },
		func() ([]netbird.TrafficEvent, traffic.Cursor, error) {
			return traffic.Newest(ctx, client, f, c.Initial, now.Add(-time.Hour), now)
		},
		func(cur traffic.Cursor) ([]netbird.TrafficEvent, traffic.Cursor, error) {
			recs, next, _, err := traffic.Poll(ctx, client, f, cur, 20, 1000) // what waits comes next round
			return recs, next, err
		})
}

type trafficListCmd struct {
	Type           string `help:"Only events of this type: started, ended, dropped (or TYPE_START, TYPE_END, TYPE_DROP)."`
	ConnectionType string `name:"connection-type" help:"Only P2P or ROUTED flows."`
	Direction      string `help:"Only INGRESS or EGRESS flows."`
	Protocol       string `help:"Only this protocol: tcp, udp, icmp or an IANA number."`
	User           string `help:"Only flows of this user ID."`
	Reporter       string `help:"Only flows reported by this peer ID."`
	Source         string `help:"Only flows from this peer or resource ID."`
	Destination    string `help:"Only flows to this peer or resource ID."`
	Search         string `help:"Free-text search (names, addresses, users)."`
	Since          string `help:"Only flows since: RFC 3339 or back from now (1h, 30m, 7d)."`
	Until          string `help:"Only flows until: RFC 3339 or back from now."`
	Limit          int    `default:"100" help:"Read at most this many records (1 to 10000)."`
	Flows          bool   `help:"One row per connection: records sharing a flow_id folded (initiator, responder, routing peer, bytes and packets each way, start, end or blocked)."`
	output
}

var trafficTypes = map[string]string{"started": "TYPE_START", "start": "TYPE_START", "ended": "TYPE_END", "end": "TYPE_END", "dropped": "TYPE_DROP", "drop": "TYPE_DROP", "blocked": "TYPE_DROP"}

// filter turns the flags into a server query, or names the bad flag.
func (c trafficListCmd) filter(now time.Time) (netbird.TrafficFilter, error) {
	var f netbird.TrafficFilter
	if c.Limit < 1 || c.Limit > 10000 {
		return f, &flagError{Flag: "--limit", Msg: fmt.Sprintf("=%d is out of range; expected 1 to 10000", c.Limit)}
	}
	if c.Type != "" {
		t, ok := trafficTypes[strings.ToLower(c.Type)]
		if !ok && strings.HasPrefix(strings.ToUpper(c.Type), "TYPE_") {
			t, ok = strings.ToUpper(c.Type), true
		}
		if !ok || (t != "TYPE_START" && t != "TYPE_END" && t != "TYPE_DROP") {
			return f, &flagError{Flag: "--type", Msg: fmt.Sprintf("=%q; expected started, ended or dropped", c.Type)}
		}
		f.Type = t
	}
	for _, e := range []struct {
		flag, val string
		allowed   []string
		out       *string
	}{
		{"--connection-type", c.ConnectionType, []string{"P2P", "ROUTED"}, &f.ConnectionType},
		{"--direction", c.Direction, []string{"INGRESS", "EGRESS"}, &f.Direction},
	} {
		if e.val == "" {
			continue
		}
		v := strings.ToUpper(e.val)
		if !slices.Contains(e.allowed, v) {
			return f, &flagError{Flag: e.flag, Msg: fmt.Sprintf("=%q; expected %s", e.val, strings.Join(e.allowed, " or "))}
		}
		*e.out = v
	}
	p, err := traffic.ParseProtocol(c.Protocol)
	if err != nil {
		return f, &flagError{Flag: "--protocol", Msg: err.Error()}
	}
	f.Protocol = p
	if f.Start, f.End, err = timeWindow(c.Since, c.Until, now); err != nil {
		return f, err
	}
	f.UserID, f.ReporterID, f.SourceID, f.DestID, f.Search = c.User, c.Reporter, c.Source, c.Destination, c.Search
	return f, nil
}

// Run lists flows. Self-hosted servers have no such endpoint; that is an
// error with a plain reason, not an empty table.
func (c trafficListCmd) Run(ctx context.Context, e *env) error {
	f, err := c.filter(time.Now())
	if err != nil {
		return err
	}
	t, client, err := tool(readToken, "traffic list")
	if err != nil {
		return err
	}
	flows, err := traffic.List(ctx, client, f, c.Limit, 500)
	if err != nil {
		return adminHint(err)
	}
	traffic.NewestFirst(flows)
	if c.Flows {
		conns := traffic.Correlate(flows)
		slices.Reverse(conns) // newest first, like the records
		if c.json() {
			return writeJSON(e.stdout, conns)
		}
		traffic.ConnTable(e.stdout, conns, t.Log.TZ.Loc)
		return nil
	}
	if c.json() {
		if flows == nil {
			flows = []netbird.TrafficEvent{}
		}
		return writeJSON(e.stdout, flows)
	}
	traffic.Table(e.stdout, flows, t.Log.TZ.Loc)
	return nil
}
