package proxylog

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/timecursor"
)

// Cursor marks how far the access log has been read (see timecursor: the
// log is ordered by time, and a request is logged when it ends with the
// time it began, so rows arrive late).
type Cursor = timecursor.Cursor

// Lookback is how late a row may arrive and still be read.
const Lookback = 2 * time.Minute

// Newest returns up to n of the newest entries, oldest first, and a cursor
// after them (after now when the log is empty).
func Newest(ctx context.Context, api API, f netbird.ProxyLogFilter, n int, now time.Time) ([]netbird.ProxyLog, Cursor, error) {
	logs, err := List(ctx, api, f, max(n, 1))
	if err != nil {
		return nil, Cursor{}, err
	}
	slices.Reverse(logs)
	cur := Cursor{Since: now}
	if len(logs) > 0 {
		// Everything in the look-back window counts as read, shown or not,
		// or the first poll would print the rows just before those shown.
		cur = Cursor{Since: logs[len(logs)-1].Timestamp}
		f.Start = cur.From(Lookback)
		window, err := List(ctx, api, f, 10000)
		if err != nil {
			return nil, Cursor{}, err
		}
		b := cur.Begin(Lookback)
		for _, l := range window {
			b.Take(l.ID, l.Timestamp)
		}
		cur = b.Cursor()
	}
	return logs[max(0, len(logs)-n):], cur, nil
}

// Poll returns the entries after the cursor, oldest first, reading at most
// maxPages pages so that a burst is spread over polls instead of held in
// memory at once; the returned cursor resumes where it stopped.
func Poll(ctx context.Context, api API, f netbird.ProxyLogFilter, cur Cursor, maxPages int) ([]netbird.ProxyLog, Cursor, error) {
	f.Ascending, f.Start = true, cur.From(Lookback)
	var out []netbird.ProxyLog
	// Pages that hold only rows already read (the look-back window) cost a
	// request but no memory, so only pages with new rows count against
	// maxPages; hardCap bounds a poll all the same.
	const hardCap = 1000
	read := 0
	b := cur.Begin(Lookback)
	for page := 1; read < maxPages && page <= hardCap; page++ {
		p, err := api.ListProxyLogs(ctx, f, page, netbird.ProxyLogMaxPageSize)
		if err != nil {
			return out, b.Cursor(), fmt.Errorf("poll proxy access logs (page %d): %w", page, err)
		}
		n := len(out)
		for _, l := range p.Data {
			if b.Take(l.ID, l.Timestamp) {
				out = append(out, l)
			}
		}
		if len(out) > n {
			read++
		}
		if len(p.Data) == 0 || page >= p.TotalPages {
			break
		}
	}
	return out, b.Cursor(), nil
}

// Line is one entry as a line a person reads at a glance.
func Line(l netbird.ProxyLog, loc *time.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d %s %s%s from %s", l.Timestamp.In(loc).Format("2006-01-02 15:04:05"), l.StatusCode, l.Method, l.Host, l.Path, dash(l.SourceIP))
	if l.CountryCode != "" {
		fmt.Fprintf(&b, " (%s)", l.CountryCode)
	}
	if l.UserID != "" {
		fmt.Fprintf(&b, " user %s", l.UserID)
	}
	if l.AuthMethodUsed != "" {
		fmt.Fprintf(&b, " via %s", l.AuthMethodUsed)
	}
	fmt.Fprintf(&b, " %dms", l.DurationMS)
	if l.Reason != "" {
		fmt.Fprintf(&b, ": %s", l.Reason)
	}
	return b.String()
}
