package traffic

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/styliteag/birdseye/internal/netbird"
)

// Conn is one connection: every record that shares a flow_id, from every
// reporter (initiator, responder, routing peer) and every time window.
type Conn struct {
	FlowID    string                  `json:"flow_id"`
	Initiator netbird.TrafficEndpoint `json:"initiator"`
	Responder netbird.TrafficEndpoint `json:"responder"`
	Routers   []string                `json:"routers"` // reporters that are neither end: routing peers
	Policy    string                  `json:"policy"`
	User      string                  `json:"user"`
	Protocol  int                     `json:"protocol"`
	Start     time.Time               `json:"start"`
	End       time.Time               `json:"end"`
	Blocked   bool                    `json:"blocked"`
	Ended     bool                    `json:"ended"`
	// Bytes and packets each way, initiator → responder (out) and back (in).
	OutBytes   int64 `json:"out_bytes"`
	InBytes    int64 `json:"in_bytes"`
	OutPackets int64 `json:"out_packets"`
	InPackets  int64 `json:"in_packets"`
	Records    int   `json:"records"`
}

type flowCount struct{ outB, inB, outP, inP int64 }

// Correlate folds records into connections, oldest first. Each reporter
// sees the same packets, so a direction's count is the largest any one
// reporter saw (summed over its windows), not the sum over reporters.
func Correlate(records []netbird.TrafficEvent) []Conn {
	byFlow := map[string]*Conn{}
	counts := map[string]map[string]*flowCount{} // flow → reporter → counts
	var order []string
	for _, r := range records {
		key := r.FlowID
		if key == "" {
			key = "record:" + r.ID
		}
		c := byFlow[key]
		if c == nil {
			c = &Conn{FlowID: r.FlowID, Initiator: r.Source, Responder: r.Destination, Protocol: r.Protocol}
			byFlow[key], counts[key] = c, map[string]*flowCount{}
			order = append(order, key)
		}
		c.Records++
		if c.Policy == "" {
			c.Policy = r.Policy.Name
		}
		if c.User == "" {
			c.User = firstNonEmpty(r.User.Email, r.User.Name)
		}
		if r.ReporterID != "" && r.ReporterID != r.Source.ID && r.ReporterID != r.Destination.ID && !slices.Contains(c.Routers, r.ReporterID) {
			c.Routers = append(c.Routers, r.ReporterID)
		}
		if t, err := time.Parse(time.RFC3339Nano, r.WindowStart); err == nil && (c.Start.IsZero() || t.Before(c.Start)) {
			c.Start = t
		}
		if t, err := time.Parse(time.RFC3339Nano, r.WindowEnd); err == nil && t.After(c.End) {
			c.End = t
		}
		c.Blocked = c.Blocked || r.NumOfDrops > 0
		c.Ended = c.Ended || r.NumOfEnds > 0
		fc := counts[key][r.ReporterID]
		if fc == nil {
			fc = &flowCount{}
			counts[key][r.ReporterID] = fc
		}
		if r.Direction == "INGRESS" { // reported by the receiving side: what it received came from the initiator
			fc.outB, fc.inB, fc.outP, fc.inP = fc.outB+r.RxBytes, fc.inB+r.TxBytes, fc.outP+r.RxPackets, fc.inP+r.TxPackets
		} else {
			fc.outB, fc.inB, fc.outP, fc.inP = fc.outB+r.TxBytes, fc.inB+r.RxBytes, fc.outP+r.TxPackets, fc.inP+r.RxPackets
		}
	}
	out := make([]Conn, 0, len(order))
	for _, key := range order {
		c := byFlow[key]
		for _, fc := range counts[key] {
			c.OutBytes, c.InBytes = max(c.OutBytes, fc.outB), max(c.InBytes, fc.inB)
			c.OutPackets, c.InPackets = max(c.OutPackets, fc.outP), max(c.InPackets, fc.inP)
		}
		out = append(out, *c)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// State is blocked, ended or open.
func (c Conn) State() string {
	switch {
	case c.Blocked:
		return "blocked"
	case c.Ended:
		return "ended"
	}
	return "open"
}

// ConnTable writes one row per connection.
func ConnTable(w io.Writer, conns []Conn, loc *time.Location) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "START\tEND\tSTATE\tINITIATOR\t\tRESPONDER\tVIA\tPROTO\tPOLICY\tUSER\tBYTES →/←\tPACKETS →/←\tRECORDS")
	for _, c := range conns {
		via := "-"
		if len(c.Routers) > 0 {
			via = fmt.Sprint(c.Routers)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t→\t%s\t%s\t%s\t%s\t%s\t%d/%d\t%d/%d\t%d\n", clock(c.Start, loc), clock(c.End, loc), c.State(),
			endpoint(c.Initiator), endpoint(c.Responder), via, ProtocolName(c.Protocol), firstNonEmpty(c.Policy, "-"), firstNonEmpty(c.User, "-"),
			c.OutBytes, c.InBytes, c.OutPackets, c.InPackets, c.Records)
	}
	tw.Flush()
}

func clock(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(loc).Format("2006-01-02 15:04:05")
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
