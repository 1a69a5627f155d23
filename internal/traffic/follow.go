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

// Poll returns the records after the cursor, oldest first, reading at most
// maxPages pages of pageSize. When the look-back window holds more records
// than that, the ones not read this time are read next time only while they
// stay inside the window: the bound trades completeness at extreme rates
// for flat memory.
func Poll(ctx context.Context, api API, f netbird.TrafficFilter, cur Cursor, maxPages, pageSize int) ([]netbird.TrafficEvent, Cursor, error) {
	f.Start, f.End = cur.From(Lookback), time.Time{}
	var out []netbird.TrafficEvent
	var err error
	b := cur.Begin(Lookback) // also skips a record met twice as rows shift between pages
	for page := 1; page <= maxPages; page++ {
		n := 0
		p, perr := api.ScanTraffic(ctx, f, page, pageSize, func(e netbird.TrafficEvent) {
			n++
			if b.Take(key(e), at(e)) { // only new records are kept: a quiet poll stays small
				out = append(out, e)
			}
		})
		if perr != nil {
			err = fmt.Errorf("poll traffic events (page %d): %w", page, perr)
			break
		}
		if n == 0 || page >= p.TotalPages {
			break
		}
	}
	slices.SortStableFunc(out, byTime)
	return out, b.Cursor(), err
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
