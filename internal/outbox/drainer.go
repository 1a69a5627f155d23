package outbox

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/styliteag/birdseye/internal/sink"
)

// Drainer delivers one outbox to its sink: everything queued goes out as one
// batch (capped to MaxCatchup), and is removed only once the sink took it.
// Failures are retried with exponential backoff from MinBackoff to
// MaxBackoff; a permanent failure (a configuration problem) waits MaxBackoff.
// Each distinct error is logged once, and the recovery once.
type Drainer struct {
	Box        *Box
	Sink       sink.Sink
	Counter    sink.Counter // told what the far end took (metrics); may be nil
	MaxCatchup int
	MinBackoff time.Duration
	MaxBackoff time.Duration
	Log        *slog.Logger
	// Hold, when set, says how long a batch waits before it goes out (the
	// e-mail digest); oldest is when its oldest item was queued.
	Hold func(b sink.Batch, oldest time.Time) time.Duration
	// FlushWithin, when set, is how long a batch that is due may take to go
	// out while shutting down (the digest is sent on SIGTERM if it can be).
	FlushWithin time.Duration
	// OnGone is told once when the far end answers 410 Gone; the drainer
	// then stops delivering until the next start (the events stay queued).
	OnGone func(sink string, err error)
	// Grace is how long a delivery in flight when the process is told to
	// stop may still take. Cutting it off would leave the far end with the
	// batch and the outbox without the acknowledgement: the batch would go
	// out again after the restart. 0 = ShutdownGrace.
	Grace time.Duration

	// failing is set while the sink is down (a retry is pending, or it
	// answered 410 Gone) and cleared by the next delivery that succeeds.
	failing atomic.Bool
}

// Room is how many more events the outboxes of drainers can queue before
// one of them drops events from a sink that is keeping up: the smallest
// free space among the outboxes of sinks that take every event (no catch-up
// cap) and are not down. A source that can wait (the activity store) reads
// no more than this per poll, so a slow sink slows the reading instead of
// losing events. Sinks that are down, the capped people sinks and a sink
// that holds its batches on purpose (the mail digest) keep their
// SINK_QUEUE_MAX behaviour: they never hold the others back.
// Unbounded outboxes have all the room in the world: -1 says so.
func Room(drainers []*Drainer) int {
	room, _ := Fullest(drainers)
	return room
}

// Fullest is Room and the sink whose outbox sets it ("" when none does).
func Fullest(drainers []*Drainer) (int, string) {
	room, name := -1, ""
	for _, d := range drainers {
		if d.MaxCatchup > 0 || d.Hold != nil || d.failing.Load() {
			continue
		}
		free := d.Box.Room()
		if free < 0 {
			continue
		}
		if room < 0 || free < room {
			room, name = free, d.Sink.Name()
		}
	}
	return room, name
}

// MaxRetryAfter bounds a receiver's Retry-After: a typo of a day there
// should not silence a sink for a day.
const MaxRetryAfter = time.Hour

// ShutdownGrace is the default Grace: below Docker's 10-second stop timeout,
// with room for the state write after it.
const ShutdownGrace = 8 * time.Second

// Run drains until ctx ends. What is not delivered by then stays queued.
func (d *Drainer) Run(ctx context.Context) {
	backoff := d.MinBackoff
	var retry, held <-chan time.Time
	lastErr := ""
	log := d.Log.With("sink", d.Sink.Name())
	// Deliveries run under their own context: it ends Grace after ctx does.
	grace := cmp.Or(d.Grace, ShutdownGrace)
	dctx, dcancel := context.WithCancel(context.WithoutCancel(ctx))
	defer dcancel()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(grace, dcancel) })
	defer stop()
	for {
		// In an outage the retry timer alone decides when to try again:
		// were every poll with new events to force an attempt, each would
		// double the backoff, and a short outage would leave the sink
		// waiting minutes after the far end is back.
		ready := d.Box.Ready()
		if retry != nil {
			ready = nil
		}
		select {
		case <-ctx.Done():
			d.flush(log)
			return
		case <-ready:
		case <-retry:
			retry = nil
		case <-held:
		}
		for {
			batch, ticket := d.Box.Peek(d.MaxCatchup)
			for _, what := range d.Box.Problems() {
				log.Error("outbox file set aside", "what", what)
			}
			if batch.Empty() {
				break
			}
			if d.Hold != nil {
				if wait := d.Hold(batch, ticket.Oldest); wait > 0 {
					held = time.After(wait)
					break
				}
			}
			err := d.Sink.Deliver(dctx, batch)
			sink.Count(d.Counter, d.Sink.Name(), batch, err)
			err = taken(log, err)
			var partial *sink.PartialError
			if errors.As(err, &partial) && partial.Delivered > 0 {
				if aerr := d.Box.AckPartial(ticket, partial.Delivered); aerr != nil {
					log.Error("delivered events not removed from the outbox; they may be sent again after a restart", "err", aerr)
				}
			}
			if err != nil && ctx.Err() != nil {
				return // cut off by the grace: the batch stays queued
			}
			if err != nil && sink.IsGone(err) {
				log.Error("the receiver answered 410 Gone: this sink is stopped until birdseye restarts; its events stay queued", "err", err, "queued", d.Box.Pending())
				d.failing.Store(true)
				if d.OnGone != nil {
					d.OnGone(d.Sink.Name(), err)
				}
				<-ctx.Done()
				return
			}
			if err != nil {
				wait := backoff
				if sink.IsPermanent(err) {
					wait = d.MaxBackoff
				}
				if after, ok := sink.RetryAfter(err); ok {
					wait = min(max(after, d.MinBackoff), MaxRetryAfter) // the receiver said when
				}
				if err.Error() != lastErr {
					lastErr = err.Error()
					log.Error("delivery failed; the events stay queued and are retried", "err", err,
						"queued", d.Box.Pending(), "retry_in", wait, "config_problem", sink.IsPermanent(err))
				}
				d.failing.Store(true)
				retry = time.After(wait)
				backoff = min(backoff*2, d.MaxBackoff)
				break
			}
			if lastErr != "" {
				log.Info("delivering again", "delivered", len(batch.Events), "skipped", batch.Skipped)
				lastErr = ""
			}
			backoff, retry = d.MinBackoff, nil
			d.failing.Store(false)
			if err := d.Box.Ack(ticket); err != nil {
				log.Error("delivered events not removed from the outbox; they may be sent again after a restart", "err", err)
			}
			if ctx.Err() != nil {
				return // the batch in flight is acknowledged; the rest waits for the next start
			}
		}
	}
}

// flush sends a batch that is due when the process stops, if FlushWithin
// allows; whatever does not go out stays queued for the next start.
// taken is nil for a batch the receiver took, some records refused for good
// among it (sink.RejectedError): sending them again would be refused
// again. That is said once per batch; the count is the Counter's.
func taken(log *slog.Logger, err error) error {
	if sink.Taken(err) {
		log.Warn("the receiver refused some records for good; they are not sent again", "err", err)
		return nil
	}
	return err
}

func (d *Drainer) flush(log *slog.Logger) {
	if d.FlushWithin <= 0 {
		return
	}
	batch, ticket := d.Box.Peek(d.MaxCatchup)
	if batch.Empty() || (d.Hold != nil && d.Hold(batch, ticket.Oldest) > 0) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), d.FlushWithin)
	defer cancel()
	err := d.Sink.Deliver(ctx, batch)
	sink.Count(d.Counter, d.Sink.Name(), batch, err)
	if err = taken(log, err); err != nil {
		log.Warn("not sent before shutdown; it stays queued for the next start", "err", err)
		return
	}
	if err := d.Box.Ack(ticket); err != nil {
		log.Error("delivered events not removed from the outbox; they may be sent again after a restart", "err", err)
	}
}
