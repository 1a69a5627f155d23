package traffic

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/timecursor"
)

// Cursor marks how far the traffic records have been read. A record covers a
// time window and is reported after the window closes, so records arrive
// late; the server's order is not specified, so every poll reads the whole
// look-back window and orders what is new itself.
type Cursor = timecursor.Cursor

// Lookback is how late a record may arrive and still be read.
const Lookback = 5 * time.Minute

// key identifies a record. v0.77.1 defines no record id (the spec lists one
// as required but never defines it), so a record is its flow, reporter,
// direction and window.
func key(e netbird.TrafficEvent) string {
	if e.ID != "" {
		return e.ID
	}
	return strings.Join([]string{e.FlowID, e.ReporterID, e.Direction, e.WindowStart, e.WindowEnd}, "|")
}

func at(e netbird.TrafficEvent) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, e.WindowStart)
	return t
}

func byTime(a, b netbird.TrafficEvent) int { return cmp.Compare(at(a).UnixNano(), at(b).UnixNano()) }

// NewestFirst orders records by their window's start, newest first: the API
// does not say in which order it pages.
func NewestFirst(recs []netbird.TrafficEvent) {
	slices.SortStableFunc(recs, func(a, b netbird.TrafficEvent) int { return byTime(b, a) })
}

// Newest returns up to n of the newest records since `since`, oldest first,
// and a cursor after every record read (after now when there are none).
func Newest(ctx context.Context, api API, f netbird.TrafficFilter, n int, since, now time.Time) ([]netbird.TrafficEvent, Cursor, error) {
	f.Start = since
	all, err := List(ctx, api, f, 10000, 1000)
	if err != nil {
		return nil, Cursor{}, err
	}
	slices.SortStableFunc(all, byTime)
	cur := Cursor{Since: now}
	if len(all) > 0 {
		b := Cursor{Since: at(all[len(all)-1])}.Begin(Lookback)
		for _, e := range all {
			b.Take(key(e), at(e))
		}
		cur = b.Cursor()
	}
	return all[max(0, len(all)-n):], cur, nil
}

// Poll returns the records after the cursor, oldest first, and the cursor
// after them. One poll keeps at most maxPages×pageSize new records in
// memory. When more are waiting, it reads only the oldest part of what is
// new: it finds an end_date that leaves at most that many (bisecting with
// one-record pages, whose total_records says how many a range holds) and
// leaves the rest to the next polls, which go on from the cursor. This works
// whatever order the server pages in (the API does not say). waiting is how
// many records were left for later (0 when none).
func Poll(ctx context.Context, api API, f netbird.TrafficFilter, cur Cursor, maxPages, pageSize int) (recs []netbird.TrafficEvent, next Cursor, waiting int, err error) {
	f.Start, f.End = cur.From(Lookback), time.Time{}
	limit := maxPages * pageSize
	b := cur.Begin(Lookback) // also skips a record met twice as rows shift between pages
	var out []netbird.TrafficEvent
	take := func(e netbird.TrafficEvent) {
		if len(out) < limit && b.Take(key(e), at(e)) { // only new records are kept: a quiet poll stays small
			out = append(out, e)
		}
	}
	// Page 1 is held, not taken, until the poll knows whether it reads the
	// whole range: a newest-first page 1 taken now would move the cursor
	// past records not read yet.
	var first []netbird.TrafficEvent
	p, err := api.ScanTraffic(ctx, f, 1, pageSize, func(e netbird.TrafficEvent) { first = append(first, e) })
	if err != nil {
		return nil, cur, 0, fmt.Errorf("poll traffic events (page 1): %w", err)
	}
	page := 2
	if p.TotalRecords > limit { // the look-back window's records count too: the safe side
		if f.End, waiting, err = cutOff(ctx, api, f, cur.Since, limit); err != nil {
			return nil, cur, 0, err
		}
		page = 1
	} else {
		for _, e := range first {
			take(e)
		}
		if len(first) == 0 || p.TotalPages <= 1 {
			page = 0
		}
	}
	first = nil
	for ; page > 0 && len(out) < limit; page++ {
		n := 0
		p, perr := api.ScanTraffic(ctx, f, page, pageSize, func(e netbird.TrafficEvent) { n++; take(e) })
		if perr != nil {
			err = fmt.Errorf("poll traffic events (page %d): %w", page, perr)
			break
		}
		if n == 0 || page >= p.TotalPages {
			break
		}
	}
	slices.SortStableFunc(out, byTime)
	return out, b.Cursor(), waiting, err
}

// cutOff finds, to the second, the latest end_date for which the records
// from since on number at most limit, and how many records lie beyond it.
func cutOff(ctx context.Context, api API, f netbird.TrafficFilter, since time.Time, limit int) (time.Time, int, error) {
	f.Start = since.Truncate(time.Second)
	count := func(end time.Time) (int, error) {
		g := f
		g.End = end
		p, err := api.ScanTraffic(ctx, g, 1, 1, func(netbird.TrafficEvent) {})
		if err != nil {
			return 0, fmt.Errorf("poll traffic events (count up to %s): %w", end.Format(time.RFC3339), err)
		}
		return p.TotalRecords, nil
	}
	total, err := count(time.Time{})
	if err != nil {
		return time.Time{}, 0, err
	}
	// More than limit within one second cannot be cut by end_date: that
	// second is read up to limit and the poll goes on after it.
	lo, inLo := f.Start.Add(time.Second), 0
	hi := time.Now().Add(time.Second).Truncate(time.Second)
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
		n, err := count(mid)
		if err != nil {
			return time.Time{}, 0, err
		}
		if n <= limit {
			lo, inLo = mid, n
		} else {
			hi = mid
		}
	}
	if inLo == 0 {
		inLo = limit // the first second alone: read up to limit
	}
	return lo, max(0, total-inLo), nil
}

// Line is one record as a line a person reads at a glance:
// "… blocked alice-laptop (100.77.0.1:51000) → db-server (100.77.0.2:5432) tcp EGRESS policy 'Admins' user alice@…".
func Line(e netbird.TrafficEvent, loc *time.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s → %s %s %s", at(e).In(loc).Format("2006-01-02 15:04:05"), Status(e), endpoint(e.Source), endpoint(e.Destination), ProtocolName(e.Protocol), e.Direction)
	if e.Policy.Name != "" {
		fmt.Fprintf(&b, " policy '%s'", e.Policy.Name)
	}
	if u := firstNonEmpty(e.User.Email, e.User.Name); u != "" {
		fmt.Fprintf(&b, " user %s", u)
	}
	fmt.Fprintf(&b, " rx/tx %d/%d", e.RxBytes, e.TxBytes)
	return b.String()
}
