// Package proxylog reads the access log of NetBird's reverse proxy (who
// reached which exposed service, with what answer, and why a request was
// refused) for `birdseye proxy-logs list`: server-side filters, paging
// within the server's 100-a-page cap, and a table read at a glance.
package proxylog

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/styliteag/birdseye/internal/netbird"
)

// API is what the listing needs; *netbird.Client is one.
type API interface {
	ListProxyLogs(ctx context.Context, f netbird.ProxyLogFilter, page, size int) (*netbird.ProxyLogPage, error)
}

// ErrUnavailable: the server has no access-log endpoint (a NetBird older
// than the reverse proxy, or a route a proxy in front does not pass).
var ErrUnavailable = errors.New("this NetBird server has no reverse-proxy access log (GET /api/events/proxy answers the plain 404 of a route the server does not have)")

// List reads up to limit entries, newest first, page by page.
func List(ctx context.Context, api API, f netbird.ProxyLogFilter, limit int) ([]netbird.ProxyLog, error) {
	out, err := netbird.Collect(limit, netbird.ProxyLogMaxPageSize, func(page, size int) ([]netbird.ProxyLog, int, error) {
		p, err := api.ListProxyLogs(ctx, f, page, size)
		if err != nil {
			return nil, 0, err
		}
		return p.Data, p.TotalPages, nil
	})
	if netbird.NoSuchRoute(err) {
		return nil, ErrUnavailable
	}
	if err != nil {
		return out, fmt.Errorf("list proxy access logs: %w", err)
	}
	return out, nil
}

// Table writes one row per request.
func Table(w io.Writer, logs []netbird.ProxyLog, loc *time.Location) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tSTATUS\tMETHOD\tHOST\tPATH\tSOURCE\tUSER\tAUTH\tMS\tREASON")
	for _, l := range logs {
		src := l.SourceIP
		if l.CountryCode != "" {
			src += " (" + l.CountryCode + ")"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", l.Timestamp.In(loc).Format("2006-01-02 15:04:05"),
			l.StatusCode, l.Method, l.Host, l.Path, dash(src), dash(l.UserID), dash(l.AuthMethodUsed), l.DurationMS, l.Reason)
	}
	tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
