package certwatch

import (
	"context"
	"crypto/x509"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/monitor"
)

// Dispatcher hands events to the sinks.
type Dispatcher interface {
	Dispatch(ctx context.Context, evs []event.Event) error
}

// Loop reads the targets every Interval, from the start: certificates
// change seldom, and a handshake an hour per endpoint costs nothing.
type Loop struct {
	Targets  []Target
	Roots    *x509.CertPool // nil: the system's (or the embedded fallback)
	Leads    Leads
	Interval time.Duration
	// StateFile keeps what was told (certwatch.json beside the state
	// file), so a restart tells nothing twice.
	StateFile string
	Out       Dispatcher
	Log       *slog.Logger
	Metrics   *metrics.M // nil: off
	// Checkmk is the agent's spool directory ("" = none): one service per
	// endpoint in 7200_netbird_certificates.txt (stale after two missed
	// rounds of an hour).
	Checkmk string
}

// CheckmkFile is the local check's file name, without its age prefix.
const CheckmkFile = "netbird_certificates"

// Run reads the targets now and then every Interval until ctx ends.
func (l *Loop) Run(ctx context.Context) {
	st, err := LoadState(l.StateFile)
	if err != nil {
		l.Log.Warn("what the certificate watch told before is unreadable; a certificate near its expiry may be told again", "err", err)
		st = State{}
	}
	for {
		if err := l.Once(ctx, st, time.Now()); err != nil && ctx.Err() == nil {
			l.Log.Warn("certificate watch round incomplete; tried again next round", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(l.Interval):
		}
	}
}

// Once is one round: read every target, hand what is new to the sinks,
// then keep it as told. When the sinks do not take the events, st is left
// as it was, so the next round tells them again.
func (l *Loop) Once(ctx context.Context, st State, now time.Time) error {
	before := maps.Clone(st)
	evs, rs := Round(ctx, l.Targets, l.Roots, l.Leads, st, now)
	for _, r := range rs {
		l.Metrics.Certificate(r.String(), r.Expires, r.Problem != "")
		if r.Problem != "" {
			l.Log.Warn("TLS certificate refused", "host", r.String(), "from", r.From, "problem", r.Problem)
		}
	}
	if l.Checkmk != "" {
		if err := monitor.WriteLocal(l.Checkmk, CheckmkFile, 2*time.Hour, Services(rs, l.Leads, now)); err != nil {
			l.Log.Warn("Checkmk file not written", "err", err)
		}
	}
	if len(evs) == 0 {
		return nil
	}
	if err := l.Out.Dispatch(ctx, evs); err != nil {
		clear(st)
		maps.Copy(st, before)
		return fmt.Errorf("hand the certificate alerts to the sinks: %w", err)
	}
	l.Metrics.Seen(event.StreamWatch, len(evs))
	if err := st.Save(l.StateFile); err != nil {
		return fmt.Errorf("keep what was told: %w", err)
	}
	return nil
}

// Services are the Checkmk lines of a round: WARN from the first lead time
// (21 days), CRIT from the second (7 days) and for a chain a client would
// refuse; the days left as a metric with those levels.
func Services(rs []Reading, leads Leads, now time.Time) []monitor.Service {
	desc := slices.Sorted(slices.Values(leads))
	slices.Reverse(desc)
	warn, crit := -1, -1
	if len(desc) > 0 {
		warn = desc[0]
	}
	if len(desc) > 1 {
		crit = desc[1]
	}
	out := make([]monitor.Service, 0, len(rs))
	for _, r := range rs {
		name := "NetBird_Certificate_" + r.Host
		if r.Port != "443" {
			name += "_" + r.Port
		}
		s := monitor.Service{Name: name}
		switch days := r.Days(now); {
		case r.Problem != "":
			s.Status, s.Text = monitor.Crit, r.Problem
		default:
			s.Metrics = "expiry_days=" + strconv.Itoa(days) + ";" + level(warn) + ";" + level(crit)
			s.Text = fmt.Sprintf("%s (%s) expires in %d days, %s", r.String(), r.From, days, r.Expires.UTC().Format("2006-01-02"))
			if !r.Leaf {
				s.Text += ": intermediate " + r.Subject + " first"
			}
			switch {
			case crit >= 0 && days <= crit:
				s.Status = monitor.Crit
			case warn >= 0 && days <= warn:
				s.Status = monitor.Warn
			}
		}
		out = append(out, s)
	}
	return out
}

func level(days int) string {
	if days < 0 {
		return ""
	}
	return strconv.Itoa(days)
}

// Describe lists the targets for the start-up log line.
func Describe(ts []Target) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(t.String() + " (" + t.From + ")")
	}
	return b.String()
}
