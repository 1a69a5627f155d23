package certwatch

import (
	"context"
	"crypto/x509"
	"strconv"
	"time"

	"github.com/styliteag/birdseye/internal/event"
)

// The events' codes, under birdseye.* so that the sinks' include and
// exclude globs select them like the watch's others.
const (
	CodeExpiring = "birdseye.certificate.expiring"
	CodeInvalid  = "birdseye.certificate.invalid"
)

// HandshakeTimeout bounds one endpoint's connection and handshake: a
// host that does not answer is a problem, not a stalled round.
const HandshakeTimeout = 15 * time.Second

// Round reads every target and returns the events to send now; st is
// updated and is the caller's to keep (a restart tells nothing twice).
// Readings are returned too, for the metrics and doctor.
func Round(ctx context.Context, targets []Target, roots *x509.CertPool, leads Leads, st State, now time.Time) ([]event.Event, []Reading) {
	var evs []event.Event
	var rs []Reading
	for _, t := range targets {
		rctx, cancel := context.WithTimeout(ctx, HandshakeTimeout)
		r := Read(rctx, t, roots, now)
		cancel()
		rs = append(rs, r)
		msg := Tell(st, r, leads, now)
		if msg == "" {
			continue
		}
		code := CodeExpiring
		if r.Problem != "" {
			code = CodeInvalid
		}
		e := event.Event{Stream: event.StreamWatch, Key: code + "|" + r.String() + "|" + strconv.Itoa(st[r.String()]) + "|" + r.Expires.UTC().Format(time.RFC3339),
			Labels: []string{code}, Timestamp: now.UTC().Format(time.RFC3339Nano), ActivityCode: code, Activity: msg,
			InitiatorID: "sys", InitiatorLabel: "birdseye", TargetID: r.String()}
		e.Meta = append(e.Meta, event.MetaField{Key: "name", Value: r.String()}, event.MetaField{Key: "from", Value: r.From})
		if !r.Expires.IsZero() {
			e.Meta = append(e.Meta, event.MetaField{Key: "expires", Value: r.Expires.UTC().Format(time.RFC3339)},
				event.MetaField{Key: "subject", Value: r.Subject})
		}
		if r.Problem != "" {
			e.Meta = append(e.Meta, event.MetaField{Key: "problem", Value: r.Problem})
		}
		evs = append(evs, e)
	}
	return evs, rs
}
