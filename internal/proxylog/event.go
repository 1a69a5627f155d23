package proxylog

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird"
)

// Failed reports whether a request was refused or failed: an answer of 400
// or more, or none at all.
func Failed(l netbird.ProxyLog) bool { return l.StatusCode >= 400 || l.StatusCode < 100 }

// Labels are what *_PROXY_INCLUDE and *_PROXY_EXCLUDE match: success or
// failed, the status code (401) and its class (4xx).
func Labels(l netbird.ProxyLog) []string {
	status := "success"
	if Failed(l) {
		status = "failed"
	}
	code := strconv.Itoa(l.StatusCode)
	return []string{status, code, code[:1] + "xx"}
}

// Activity is the request at a glance: "401 GET app.example.com/admin from
// 203.0.113.9 (DE): <reason>".
func Activity(l netbird.ProxyLog) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s %s%s from %s", l.StatusCode, l.Method, l.Host, l.Path, dash(l.SourceIP))
	if l.CountryCode != "" {
		fmt.Fprintf(&b, " (%s)", l.CountryCode)
	}
	if l.Reason != "" {
		fmt.Fprintf(&b, ": %s", l.Reason)
	}
	return b.String()
}

// Event turns an access-log entry into an event for the sinks: code
// proxy.success or proxy.failed, the user (else the source address) as
// initiator, the service as target, the details as meta.
func Event(l netbird.ProxyLog) event.Event {
	code := "proxy.success"
	if Failed(l) {
		code = "proxy.failed"
	}
	meta := event.Meta{}
	for _, f := range []event.MetaField{
		{Key: "auth", Value: l.AuthMethodUsed},
		{Key: "city", Value: l.CityName},
		{Key: "duration_ms", Value: strconv.FormatInt(l.DurationMS, 10)},
	} {
		if f.Value != "" {
			meta = append(meta, f)
		}
	}
	return event.Event{
		Stream:         event.StreamProxy,
		Key:            l.ID,
		Labels:         Labels(l),
		Timestamp:      l.Timestamp.UTC().Format(time.RFC3339Nano),
		ActivityCode:   code,
		Activity:       Activity(l),
		InitiatorID:    l.UserID,
		InitiatorLabel: cmp.Or(l.UserID, l.SourceIP, "unknown"),
		TargetID:       l.ServiceID,
		Object:         fmt.Sprintf("%s %s%s %d", l.Method, l.Host, l.Path, l.StatusCode),
		Meta:           meta,
	}
}

// Source is the access-log stream for `birdseye run` (stream.Source): the
// entries after a cursor as events, reading at most MaxPages pages with new
// entries.
type Source struct {
	API      API
	MaxPages int
}

// Poll reads the entries after cur.
func (s Source) Poll(ctx context.Context, cur Cursor) ([]event.Event, Cursor, error) {
	logs, next, err := Poll(ctx, s.API, netbird.ProxyLogFilter{}, cur, s.MaxPages)
	if err != nil {
		return nil, cur, err
	}
	out := make([]event.Event, len(logs))
	for i, l := range logs {
		out[i] = Event(l)
	}
	return out, next, nil
}
