// Package traffic reads NetBird's network traffic events (one record per
// flow: who talked to whom, over which protocol, allowed or blocked, how
// much) for `birdseye traffic list`: server-side filters, paging handled,
// and a table a person reads at a glance. Self-hosted servers do not have
// the endpoint (NetBird Cloud only, for now); that is said plainly.
package traffic

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/styliteag/birdseye/internal/netbird"
)

// API is what the listing needs; *netbird.Client is one.
type API interface {
	ListTraffic(ctx context.Context, f netbird.TrafficFilter, page, size int) (*netbird.TrafficPage, error)
	ScanTraffic(ctx context.Context, f netbird.TrafficFilter, page, size int, fn func(netbird.TrafficEvent)) (*netbird.TrafficPage, error)
}

// ErrUnavailable: the server has no traffic-events endpoint.
var ErrUnavailable = errors.New("this NetBird server has no network traffic events (self-hosted servers answer 404: they are a NetBird Cloud feature)")

// Protocols by name; anything else is given as its IANA number.
var protocols = map[string]int{"icmp": 1, "tcp": 6, "udp": 17, "icmpv6": 58}

// ParseProtocol reads tcp, udp, icmp or an IANA number.
func ParseProtocol(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	if n, ok := protocols[strings.ToLower(s)]; ok {
		return n, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 255 {
		return 0, fmt.Errorf("protocol %q is not tcp, udp, icmp or a number from 1 to 255", s)
	}
	return n, nil
}

// ProtocolName is the name of an IANA protocol number.
func ProtocolName(n int) string {
	for name, v := range protocols {
		if v == n {
			return name
		}
	}
	return strconv.Itoa(n)
}

// ParseTime reads RFC 3339 or a duration back from now (1h, 30m, 7d).
func ParseTime(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(d); err == nil && n >= 0 {
			return now.Add(-time.Duration(n) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("%q is neither RFC 3339 (2026-11-23T08:00:00Z) nor a duration back from now (1h, 30m, 7d)", s)
}

// List reads up to limit flows, page by page (at most pageSize a request).
func List(ctx context.Context, api API, f netbird.TrafficFilter, limit, pageSize int) ([]netbird.TrafficEvent, error) {
	out, err := netbird.Collect(limit, pageSize, func(page, size int) ([]netbird.TrafficEvent, int, error) {
		p, err := api.ListTraffic(ctx, f, page, size)
		if err != nil {
			return nil, 0, err
		}
		return p.Data, p.TotalPages, nil
	})
	if netbird.NoSuchRoute(err) {
		return nil, ErrUnavailable
	}
	if err != nil {
		return out, fmt.Errorf("list traffic events: %w", err)
	}
	return out, nil
}

// Status is how a flow ended: blocked, ended or open.
func Status(e netbird.TrafficEvent) string {
	switch {
	case e.NumOfDrops > 0:
		return "blocked"
	case e.NumOfEnds > 0:
		return "ended"
	}
	return "open"
}

func endpoint(e netbird.TrafficEndpoint) string {
	name := e.Name
	if name == "" {
		name = e.Address
	} else if e.Address != "" {
		name += " (" + e.Address + ")"
	}
	return name
}

// Table writes one row per flow.
func Table(w io.Writer, flows []netbird.TrafficEvent, loc *time.Location) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "START\tSTATUS\tSOURCE\t\tDESTINATION\tPROTO\tDIRECTION\tPOLICY\tUSER\tRX/TX BYTES")
	for _, e := range flows {
		start := e.WindowStart
		if t, err := time.Parse(time.RFC3339Nano, e.WindowStart); err == nil {
			start = t.In(loc).Format("2006-01-02 15:04:05")
		}
		user := e.User.Email
		if user == "" {
			user = e.User.Name
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t→\t%s\t%s\t%s\t%s\t%s\t%d/%d\n", start, Status(e), endpoint(e.Source), endpoint(e.Destination),
			ProtocolName(e.Protocol), e.Direction, e.Policy.Name, user, e.RxBytes, e.TxBytes)
	}
	tw.Flush()
}
