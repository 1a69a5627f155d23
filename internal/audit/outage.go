package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/styliteag/birdseye/internal/netbird"
)

func (p *Poller) failed(ctx context.Context, err error, wait time.Duration) {
	st := p.st
	if st == nil {
		st = &p.boot // not seeded yet: the clock runs in memory only
	}
	now := time.Now()
	// A clock that jumped back (or a state file from a host whose clock ran
	// ahead) would leave the outage "starting in the future" and never alert.
	if st.OutageStarted.IsZero() || st.OutageStarted.After(now) {
		st.OutageStarted = now
		p.dirty = true
	}
	outage := now.Sub(st.OutageStarted)
	p.cfg.Metrics.Outage(true)
	p.log.Warn("poll failed", "err", err, "kind", netbird.KindOf(err).String(), "outage", outage.Round(time.Second), "backoff", wait)
	if !st.OutageAlerted && outage >= p.cfg.OutageAlertAfter {
		p.alert.Outage(ctx, outage, err)
		st.OutageAlerted = true
		p.dirty = true
	}
	p.save()
}

func (p *Poller) recovered(ctx context.Context) {
	if p.st == nil || p.st.OutageStarted.IsZero() {
		return
	}
	d := time.Since(p.st.OutageStarted)
	if p.st.OutageAlerted {
		p.alert.Recovered(ctx, d)
	}
	p.log.Info("NetBird API reachable again", "outage", d.Round(time.Second))
	p.st.OutageStarted, p.st.OutageAlerted = time.Time{}, false
	p.cfg.Metrics.Outage(false)
	p.dirty = true
	p.save()
}

// classify turns errors that no retry can fix into ErrFatal.
func classify(err error) error {
	var e *netbird.Error
	if !errors.As(err, &e) {
		return err
	}
	switch {
	case e.Kind == netbird.KindAuth:
		return fmt.Errorf("%w: %v: check NB_API_KEY (a service user's token with at least the Auditor role)", ErrFatal, err)
	case e.Kind == netbird.KindNotFound && e.PlainText:
		return fmt.Errorf("%w: %v: NB_URL does not lead to the NetBird management API", ErrFatal, err)
	case e.Kind == netbird.KindNotFound:
		// The real server answers a deleted or revoked token with a JSON 404.
		return fmt.Errorf("%w: %v: the token in NB_API_KEY was deleted or revoked", ErrFatal, err)
	}
	return err
}

func retryAfter(err error) time.Duration {
	var e *netbird.Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}
