// Package sink defines where events go: the Sink interface every destination
// implements, and the Dispatcher that applies each sink's include/exclude
// globs before handing it a batch. (The MAX_CATCHUP cap of the sinks people
// read is applied where a backlog builds up: in each sink's outbox.)
package sink

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/styliteag/birdseye/internal/event"
)

// Batch is what one poll gives one sink, oldest event first.
type Batch struct {
	Events []event.Event
	// Skipped counts older events left out by MAX_CATCHUP; the sink says so
	// ("skipped N older events on catch-up").
	Skipped int
	// Dropped counts events a full outbox (SINK_QUEUE_MAX) had to drop.
	Dropped int
	// Alerts are birdseye's own messages (API outage, recovery, lost events),
	// oldest first; they go out before the events.
	Alerts []string
}

// Empty reports whether there is nothing to say.
func (b Batch) Empty() bool {
	return len(b.Events) == 0 && b.Skipped == 0 && b.Dropped == 0 && len(b.Alerts) == 0
}

// Notices are a batch's alerts, then what it leaves out, as texts, for the
// sinks that send each as a message or record of its own; name is the
// sink's, for "the <name> outbox was full".
func (b Batch) Notices(name string) []string {
	out := append([]string(nil), b.Alerts...)
	if b.Dropped > 0 {
		out = append(out, fmt.Sprintf("%d events dropped: the %s outbox was full (SINK_QUEUE_MAX)", b.Dropped, name))
	}
	if b.Skipped > 0 {
		out = append(out, fmt.Sprintf("skipped %d older events on catch-up (MAX_CATCHUP)", b.Skipped))
	}
	return out
}

// NoticeEvents are the batch's notices as events, for the sinks that send
// records rather than messages (webhook, Splunk, Elasticsearch, Loki):
// birdseye.alert for the alerts (outages, recoveries, lost events),
// birdseye.notice for what the batch leaves out, in the stream "birdseye".
func (b Batch) NoticeEvents(name string, now time.Time) []event.Event {
	var out []event.Event
	for i, text := range b.Notices(name) {
		code := "birdseye.notice"
		if i < len(b.Alerts) {
			code = "birdseye.alert"
		}
		out = append(out, event.Event{ActivityCode: code, Activity: text, InitiatorID: "sys", InitiatorLabel: "birdseye",
			Timestamp: now.UTC().Format(time.RFC3339Nano), Stream: "birdseye"})
	}
	return out
}

// Sink delivers batches to one destination. Deliver must honour ctx and
// treat an empty batch as a no-op.
type Sink interface {
	Name() string
	Deliver(ctx context.Context, b Batch) error
}

// Route is a sink with its filter.
type Route struct {
	Sink   Sink
	Filter event.Filter
	// Direct marks a sink without an outbox (stdout). An outbox takes the
	// same batch twice as once; a direct sink would print it twice. So a
	// direct route gets a batch only after every queued route took it: when
	// one fails, the poll offers the batch again and stdout prints it then.
	Direct bool
	// Streams are the sink's filters over the labels of the other streams'
	// rows (traffic, proxy); a stream without one does not reach the sink.
	Streams map[string]event.Filter
}

// Allow reports whether the route takes e.
func (r Route) Allow(e event.Event) bool {
	if e.Stream == "" || e.Stream == event.StreamWatch {
		return r.Filter.Allow(e.ActivityCode)
	}
	f, ok := r.Streams[e.Stream]
	return ok && f.AllowAny(e.Labels)
}

// Dispatcher fans events out to routes.
type Dispatcher struct {
	Routes []Route
	// Counter, when set, is told what each direct route took (the queued
	// routes' drainers tell it what their far ends took).
	Counter Counter
}

// Counter is told what a sink delivered: the events it took, how many it
// was told it missed (catch-up, a full outbox), and how many the far end
// refused for good. *metrics.M is one.
type Counter interface {
	Delivered(sink string, forwarded, skipped, dropped int)
	Rejected(sink string, n int)
}

// Count tells c what a delivery of b took: all of it, the head a
// PartialError reports, or all but what a RejectedError says the receiver
// refused. A nil c counts nothing.
func Count(c Counter, name string, b Batch, err error) {
	if c == nil {
		return
	}
	var partial *PartialError
	var rejected *RejectedError
	switch {
	case err == nil:
		c.Delivered(name, len(b.Events), b.Skipped, b.Dropped)
	case errors.As(err, &partial):
		// The head went out; records refused in it are counted too.
		c.Delivered(name, partial.Delivered, b.Skipped, b.Dropped)
		if errors.As(err, &rejected) {
			c.Rejected(name, rejected.Rejected)
		}
	case errors.As(err, &rejected):
		c.Delivered(name, max(len(b.Events)-rejected.Rejected, 0), b.Skipped, b.Dropped)
		c.Rejected(name, rejected.Rejected)
	}
}

// Dispatch gives every route the events its filter passes: first every
// queued route (each is tried; the errors of all failing ones are joined),
// then, when they all took the batch, the direct ones.
func (d *Dispatcher) Dispatch(ctx context.Context, evs []event.Event) error {
	var errs []error
	for _, direct := range []bool{false, true} {
		if len(errs) > 0 {
			break
		}
		for _, r := range d.Routes {
			if r.Direct != direct {
				continue
			}
			b := Select(evs, r)
			if b.Empty() {
				continue
			}
			err := r.Sink.Deliver(ctx, b)
			if r.Direct {
				Count(d.Counter, r.Sink.Name(), b, err)
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("deliver to %s: %w", r.Sink.Name(), err))
			}
		}
	}
	return errors.Join(errs...)
}

// Select filters evs for a route.
func Select(evs []event.Event, r Route) Batch {
	var b Batch
	for _, e := range evs {
		if r.Allow(e) {
			b.Events = append(b.Events, e)
		}
	}
	return b
}

// Names lists the sinks of the routes, for the start-up log line.
func (d *Dispatcher) Names() []string {
	out := make([]string, 0, len(d.Routes))
	for _, r := range d.Routes {
		out = append(out, r.Sink.Name())
	}
	return out
}

// PermanentError marks a failure that retrying soon will not fix, such as a
// webhook answering 400 or 404: a configuration problem. The outbox keeps the
// events and retries slowly.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err as a PermanentError.
func Permanent(err error) error { return &PermanentError{Err: err} }

// IsPermanent reports whether err is, or wraps, a PermanentError.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// GoneError is a receiver that answered 410 Gone: it no longer wants these
// events (the Standard Webhooks meaning). The sink stops until birdseye
// restarts; its events stay queued.
type GoneError struct{ Err error }

func (e *GoneError) Error() string { return e.Err.Error() }
func (e *GoneError) Unwrap() error { return e.Err }

// IsGone reports whether err is, or wraps, a GoneError.
func IsGone(err error) bool {
	var g *GoneError
	return errors.As(err, &g)
}

// RetryAfterError is a refusal that says when to ask again (429, 502, 503,
// 504 with Retry-After).
type RetryAfterError struct {
	Err   error
	After time.Duration
}

func (e *RetryAfterError) Error() string { return e.Err.Error() }
func (e *RetryAfterError) Unwrap() error { return e.Err }

// RetryAfter is how long err asks to wait, if it says.
func RetryAfter(err error) (time.Duration, bool) {
	var r *RetryAfterError
	if errors.As(err, &r) {
		return r.After, true
	}
	return 0, false
}

// PartialError reports that the first Delivered events of a batch (and all of
// its alerts and notices) went out before Err stopped the rest, so that only
// the rest is retried. The e-mail sink, one mail per event, returns it.
type PartialError struct {
	Delivered int
	Err       error
}

func (e *PartialError) Error() string { return e.Err.Error() }
func (e *PartialError) Unwrap() error { return e.Err }

// RejectedError is a delivery the receiver took whole but for Rejected of
// its Of records, which it refused for good (OTLP's partial success).
// Sending them again would be refused again, and OTLP forbids it, so the
// batch is done: the drainer logs Err and counts the records as dropped
// (birdseye_events_dropped_total{reason="rejected"}); nothing is lost
// without a word.
type RejectedError struct {
	Rejected, Of int
	Err          error
}

func (e *RejectedError) Error() string { return e.Err.Error() }
func (e *RejectedError) Unwrap() error { return e.Err }

// JoinRejected is one RejectedError for a batch sent in several requests,
// or nil when no request had any refused.
func JoinRejected(errs ...*RejectedError) error {
	if len(errs) == 0 {
		return nil
	}
	all := &RejectedError{}
	var msgs []error
	for _, e := range errs {
		all.Rejected += e.Rejected
		all.Of += e.Of
		msgs = append(msgs, e.Err)
	}
	all.Err = errors.Join(msgs...)
	return all
}

// IsRejected reports whether err is, or wraps, a RejectedError.
func IsRejected(err error) bool {
	var r *RejectedError
	return errors.As(err, &r)
}

// Taken reports whether a delivery that failed with err still took the
// whole batch: only records refused for good, nothing left to send.
func Taken(err error) bool {
	var p *PartialError
	return IsRejected(err) && !errors.As(err, &p)
}

// Delivered is how many events at the head of a batch went out in full when
// a sink that carries them in parts (lines, posts, mails) sent the first
// sent parts; partOf[i] is the part that carries event i. A part that
// carries several events (a summary) may make some of them go out again
// after a failure, never be lost.
func Delivered(partOf []int, sent int) int {
	n := 0
	for n < len(partOf) && partOf[n] < sent {
		n++
	}
	return n
}
