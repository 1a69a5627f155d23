package outbox

import (
	"context"
	"log/slog"
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
	MaxCatchup int
	MinBackoff time.Duration
	MaxBackoff time.Duration
	Log        *slog.Logger
}

// Run drains until ctx ends. What is not delivered by then stays queued.
func (d *Drainer) Run(ctx context.Context) {
	backoff := d.MinBackoff
	var retry <-chan time.Time
	lastErr := ""
	log := d.Log.With("sink", d.Sink.Name())
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.Box.Ready():
		case <-retry:
		}
		for {
			batch, ticket := d.Box.Peek(d.MaxCatchup)
			if batch.Empty() {
				break
			}
			err := d.Sink.Deliver(ctx, batch)
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				wait := backoff
				if sink.IsPermanent(err) {
					wait = d.MaxBackoff
				}
				if err.Error() != lastErr {
					lastErr = err.Error()
					log.Error("delivery failed; the events stay queued and are retried", "err", err,
						"queued", d.Box.Pending(), "retry_in", wait, "config_problem", sink.IsPermanent(err))
				}
				retry = time.After(wait)
				backoff = min(backoff*2, d.MaxBackoff)
				break
			}
			if lastErr != "" {
				log.Info("delivering again", "delivered", len(batch.Events), "skipped", batch.Skipped)
				lastErr = ""
			}
			backoff, retry = d.MinBackoff, nil
			if err := d.Box.Ack(ticket); err != nil {
				log.Error("delivered events not removed from the outbox; they may be sent again after a restart", "err", err)
			}
		}
	}
}
