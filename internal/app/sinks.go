package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/audit"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/destinations"
	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/outbox"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/email"
	"github.com/styliteag/birdseye/internal/sink/mattermost"
	"github.com/styliteag/birdseye/internal/sink/stdout"
)

// sinks is everything the configuration asks to deliver to. This is the one
// place that maps configuration onto concrete sinks.
type sinks struct {
	dispatch *sink.Dispatcher
	drainers []*outbox.Drainer
	alerts   *alerts
	mm       *mattermost.Sink
	mail     *email.Sink
}

func buildSinks(cfg *config.Config, log *slog.Logger, out io.Writer, m *metrics.M) (*sinks, error) {
	f := cfg.Forwarder
	s := &sinks{dispatch: &sink.Dispatcher{Counter: m}, alerts: &alerts{log: log}}
	// stdout needs no outbox: it cannot be down, and it is never capped.
	st := cfg.Streams
	s.dispatch.Routes = append(s.dispatch.Routes, sink.Route{
		Direct:  true,
		Sink:    stdout.New(out, cfg.Log.TZ.Loc),
		Filter:  filter(log, "STDOUT", cfg.Stdout.Include, cfg.Stdout.Exclude),
		Streams: streamFilters(log, st, "STDOUT", [4]config.Globs{st.StdoutTrafficInclude, st.StdoutTrafficExclude, st.StdoutProxyInclude, st.StdoutProxyExclude}),
	})
	outboxes := filepath.Join(filepath.Dir(f.StateFile), "outbox")
	// Drainers retry from the poll interval (at most 5 s) up to the backoff cap.
	minBackoff := min(f.PollInterval.D(), 5*time.Second)
	// add opens an outbox called name draining into dst. With a route it
	// takes events; with takesAlerts it takes birdseye's alerts.
	add := func(name string, dst sink.Sink, people bool, route *sink.Route, takesAlerts bool, tune func(*outbox.Drainer)) error {
		box, err := outbox.Open(filepath.Join(outboxes, name), name, int(f.SinkQueueMax))
		if err != nil {
			return err
		}
		for _, what := range box.Problems() {
			log.Error("outbox file set aside", "sink", name, "what", what)
		}
		if route != nil {
			route.Sink = box
			s.dispatch.Routes = append(s.dispatch.Routes, *route)
			m.OutboxDepth(name, box.Pending)
		}
		d := &outbox.Drainer{Box: box, Sink: dst, Counter: m, MinBackoff: minBackoff, MaxBackoff: f.BackoffCap.D(), Log: log,
			OnGone: s.alerts.gone}
		if people {
			d.MaxCatchup = int(f.MaxCatchup)
		}
		if tune != nil {
			tune(d)
		}
		s.drainers = append(s.drainers, d)
		if takesAlerts {
			s.alerts.boxes = append(s.alerts.boxes, box)
		}
		return nil
	}
	for _, sp := range destinations.All {
		if !sp.On(cfg) {
			continue
		}
		dst, err := sp.Build(cfg)
		if err != nil {
			return nil, err
		}
		prefix, inc, exc := sp.Filter(cfg)
		route := &sink.Route{Filter: filter(log, prefix, inc, exc)}
		if sp.Streams != nil {
			route.Streams = streamFilters(log, st, prefix, sp.Streams(st))
		}
		var tune func(*outbox.Drainer)
		if sp.Tune != nil {
			tune = func(d *outbox.Drainer) { sp.Tune(cfg, d) }
		}
		// Alerts never wait for a mail digest: mail gets them in an
		// outbox of their own (EMAIL_ALERTS).
		isMail := sp.Name == "email"
		if err := add(sp.Name, dst, sp.People, route, !isMail, tune); err != nil {
			return nil, err
		}
		switch dst := dst.(type) {
		case *mattermost.Sink:
			s.mm = dst
		case *email.Sink:
			s.mail = dst
			if cfg.Email.Alerts {
				if err := add("email-alerts", dst, true, nil, true, nil); err != nil {
					return nil, err
				}
			}
		}
	}
	warnInsecure(cfg, log)
	return s, nil
}

// warnInsecure says at start what a destination's settings leave open.
func warnInsecure(cfg *config.Config, log *slog.Logger) {
	if cfg.Webhook.Enabled() && cfg.Webhook.Secret == "" {
		log.Warn("WEBHOOK_SECRET is empty: webhook requests are not signed, so the receiver cannot tell them from forgeries")
	}
	if cfg.Email.Enabled() && bool(cfg.SMTP.SkipVerify) {
		log.Warn("SMTP_TLS_SKIP_VERIFY=true: the mail server's certificate is not checked; use it only for a relay on a network you trust")
	}
	if cfg.Email.Enabled() && cfg.SMTP.TLSMode == "none" && cfg.SMTP.User != "" {
		log.Warn("SMTP_TLS_MODE=none with SMTP_USER: the password travels unencrypted; use starttls or tls unless the relay is on this host")
	}
}

// startupProbes sends the *_STARTUP_TEST messages. Failures are logged, never
// fatal.
func (s *sinks) startupProbes(ctx context.Context, cfg *config.Config, log *slog.Logger) {
	host, _ := os.Hostname()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	switch {
	case !bool(cfg.Mattermost.StartupTest):
	case s.mm == nil:
		log.Info("mattermost startup test skipped: MATTERMOST_WEBHOOK_URL is empty")
	default:
		if err := s.mm.Post(ctx, mattermost.ProbeText(host, time.Now())); err != nil {
			log.Error("mattermost startup test failed", "err", err)
		} else {
			log.Info("mattermost startup test posted")
		}
	}
	switch {
	case !bool(cfg.Email.StartupTest):
	case s.mail == nil:
		log.Info("email startup test skipped: EMAIL_MODE=off")
	default:
		mc := destinations.MailConfig(cfg)
		body := email.ProbeBody(host, cfg.NetBird.URL, cfg.Email.ModeName(), mc, time.Now())
		if err := s.mail.Send(ctx, email.ProbeSubject(host), body); err != nil {
			log.Error("email startup test failed", "err", err)
		} else {
			log.Info("email startup test sent", "to", strings.Join(mc.To, ", "))
		}
	}
}

// alerts sends the poller's alerts to the log and, durably, to every sink
// that takes alerts.
type alerts struct {
	log   *slog.Logger
	boxes []*outbox.Box
	// fromStore: the audit events come from events.db, so an outage is the
	// store's and is named so.
	fromStore bool
}

func (a *alerts) send(text string) { a.sendExcept("", text) }

// gone tells the other sinks that one stopped on a 410 Gone.
func (a *alerts) gone(name string, err error) {
	a.sendExcept(name, fmt.Sprintf("birdseye stopped posting to %s: the receiver answered 410 Gone (it wants no more events). "+
		"Its events are kept in its queue; fix its URL and restart birdseye. (%v)", name, err))
}

func (a *alerts) sendExcept(name, text string) {
	for _, b := range a.boxes {
		if b.Name() == name {
			continue
		}
		if err := b.Enqueue(nil, []string{text}); err != nil {
			a.log.Error("alert not queued", "sink", b.Name(), "alert", text, "err", err)
		}
	}
}

func (a *alerts) Outage(_ context.Context, d time.Duration, cause error) {
	text := audit.OutageText(d, cause)
	if a.fromStore {
		text = audit.StoreOutageText(d, cause)
	}
	a.log.Error(text)
	a.send(text)
}

func (a *alerts) Recovered(_ context.Context, d time.Duration) {
	text := audit.RecoveryText(d)
	if a.fromStore {
		text = audit.StoreRecoveryText(d)
	}
	a.log.Info(text)
	a.send(text)
}

func (a *alerts) Gap(_ context.Context, from, to event.ID) {
	text := audit.GapText(from, to)
	a.log.Error(text)
	a.send(text)
}

func filter(log *slog.Logger, prefix string, inc, exc config.Globs) event.Filter {
	if len(inc.Globs) == 0 {
		log.Warn(fmt.Sprintf("%s_INCLUDE is set but empty: this sink forwards nothing (unset it for the default)", prefix))
	}
	for _, list := range []struct {
		name string
		g    config.Globs
	}{{prefix + "_INCLUDE", inc}, {prefix + "_EXCLUDE", exc}} {
		for _, g := range list.g.Globs {
			if event.MatchesNoKnownCode(g) {
				log.Warn("filter pattern matches no NetBird activity code; check its spelling", "variable", list.name, "pattern", g.String())
			}
		}
	}
	return event.Filter{Include: inc.Globs, Exclude: exc.Globs}
}

// Known labels of the streams' rows, to flag a glob that can never match.
var (
	trafficLabels = []string{"TYPE_START", "TYPE_END", "TYPE_DROP", "TYPE_UNKNOWN", "P2P", "ROUTED", "INGRESS", "EGRESS", "DIRECTION_UNKNOWN", "tcp", "udp", "icmp", "icmpv6"}
	proxyLabels   = []string{"success", "failed", "1xx", "2xx", "3xx", "4xx", "5xx"}
)

// streamFilters are a sink's filters for the streams that are on.
func streamFilters(log *slog.Logger, st config.Streams, prefix string, g [4]config.Globs) map[string]event.Filter {
	tInc, tExc, pInc, pExc := g[0], g[1], g[2], g[3]
	out := map[string]event.Filter{}
	check := func(name string, g config.Globs, known []string) {
		for _, p := range g.Globs {
			if !slices.ContainsFunc(known, p.Match) && !matchesANumber(p) {
				log.Warn("filter pattern matches no label of this stream; check its spelling", "variable", name, "pattern", p.String(), "labels", strings.Join(known, ","))
			}
		}
	}
	if st.Traffic {
		check(prefix+"_TRAFFIC_INCLUDE", tInc, trafficLabels)
		check(prefix+"_TRAFFIC_EXCLUDE", tExc, trafficLabels)
		out[event.StreamTraffic] = event.Filter{Include: tInc.Globs, Exclude: tExc.Globs}
	}
	if st.Proxy {
		check(prefix+"_PROXY_INCLUDE", pInc, proxyLabels)
		check(prefix+"_PROXY_EXCLUDE", pExc, proxyLabels)
		out[event.StreamProxy] = event.Filter{Include: pInc.Globs, Exclude: pExc.Globs}
	}
	return out
}

// matchesANumber: status codes (proxy) and protocol numbers (traffic) are
// labels too.
func matchesANumber(g event.Glob) bool {
	for n := 1; n < 600; n++ {
		if g.Match(strconv.Itoa(n)) {
			return true
		}
	}
	return false
}
