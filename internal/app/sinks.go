package app

import (
	"context"
	"errors"
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
	s := &sinks{dispatch: &sink.Dispatcher{}, alerts: &alerts{log: log}}
	// stdout needs no outbox: it cannot be down, and it is never capped.
	st := cfg.Streams
	s.dispatch.Routes = append(s.dispatch.Routes, sink.Route{
		Direct:  true,
		Sink:    counted{stdout.New(out, cfg.Log.TZ.Loc), m},
		Filter:  filter(log, "STDOUT", cfg.Stdout.Include, cfg.Stdout.Exclude),
		Streams: streamFilters(log, st, "STDOUT", st.StdoutTrafficInclude, st.StdoutTrafficExclude, st.StdoutProxyInclude, st.StdoutProxyExclude),
	})
	outboxes := filepath.Join(filepath.Dir(f.StateFile), "outbox")
	// Drainers retry from the poll interval (at most 5 s) up to the backoff cap.
	minBackoff := min(f.PollInterval.D(), 5*time.Second)
	// MAX_CATCHUP spares people a flood after a backlog: it caps the sinks
	// people read (chat, push, mail). The machine sinks (webhook, syslog,
	// file) feed SIEMs and log shippers, which must get every event.
	const forPeople, forMachines = true, false
	// add opens an outbox called name draining into dst. With a filter it
	// takes events; with takesAlerts it takes birdseye's alerts.
	add := func(name string, dst sink.Sink, people bool, flt *event.Filter, streams map[string]event.Filter, takesAlerts bool, tune func(*outbox.Drainer)) error {
		box, err := outbox.Open(filepath.Join(outboxes, name), name, int(f.SinkQueueMax))
		if err != nil {
			return err
		}
		for _, what := range box.Problems() {
			log.Error("outbox file set aside", "sink", name, "what", what)
		}
		if flt != nil {
			s.dispatch.Routes = append(s.dispatch.Routes, sink.Route{Sink: box, Filter: *flt, Streams: streams})
		}
		if flt != nil {
			m.OutboxDepth(name, box.Pending)
		}
		d := &outbox.Drainer{Box: box, Sink: counted{dst, m}, MinBackoff: minBackoff, MaxBackoff: f.BackoffCap.D(), Log: log}
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
	if m := cfg.Mattermost; m.Enabled() {
		s.mm = newMattermost(cfg)
		flt := filter(log, "MATTERMOST", m.Include, m.Exclude)
		streams := streamFilters(log, st, "MATTERMOST", st.MattermostTrafficInclude, st.MattermostTrafficExclude, st.MattermostProxyInclude, st.MattermostProxyExclude)
		if err := add("mattermost", s.mm, forPeople, &flt, streams, true, nil); err != nil {
			return nil, err
		}
	}
	for _, c := range chats(cfg) {
		flt := filter(log, c.prefix, c.include, c.exclude)
		if err := add(c.sink.Name(), c.sink, forPeople, &flt, nil, true, nil); err != nil {
			return nil, err
		}
	}
	if cfg.Ntfy.URL != "" {
		flt := filter(log, "NTFY", cfg.Ntfy.Include, cfg.Ntfy.Exclude)
		if err := add("ntfy", newNtfy(cfg), forPeople, &flt, nil, true, nil); err != nil {
			return nil, err
		}
	}
	if w := cfg.Webhook; w.Enabled() {
		if w.Secret == "" {
			log.Warn("WEBHOOK_SECRET is empty: webhook requests are not signed, so the receiver cannot tell them from forgeries")
		}
		flt := filter(log, "WEBHOOK", w.Include, w.Exclude)
		streams := streamFilters(log, st, "WEBHOOK", st.WebhookTrafficInclude, st.WebhookTrafficExclude, st.WebhookProxyInclude, st.WebhookProxyExclude)
		if err := add("webhook", newWebhook(cfg), forMachines, &flt, streams, true, nil); err != nil {
			return nil, err
		}
	}
	if sl := cfg.Syslog; sl.Enabled() {
		sy, err := newSyslog(cfg)
		if err != nil {
			return nil, err
		}
		flt := filter(log, "SYSLOG", sl.Include, sl.Exclude)
		streams := streamFilters(log, st, "SYSLOG", st.SyslogTrafficInclude, st.SyslogTrafficExclude, st.SyslogProxyInclude, st.SyslogProxyExclude)
		if err := add("syslog", sy, forMachines, &flt, streams, true, nil); err != nil {
			return nil, err
		}
	}
	if fs := cfg.File; fs.Enabled() {
		flt := filter(log, "FILE_SINK", fs.Include, fs.Exclude)
		streams := streamFilters(log, st, "FILE_SINK", st.FileTrafficInclude, st.FileTrafficExclude, st.FileProxyInclude, st.FileProxyExclude)
		if err := add("file", newFile(cfg), forMachines, &flt, streams, true, nil); err != nil {
			return nil, err
		}
	}
	if e := cfg.Email; e.Enabled() {
		s.mail = email.New(mailConfig(cfg), cfg.Log.TZ.Loc)
		if cfg.SMTP.SkipVerify {
			log.Warn("SMTP_TLS_SKIP_VERIFY=true: the mail server's certificate is not checked; use it only for a relay on a network you trust")
		}
		if cfg.SMTP.TLSMode == "none" && cfg.SMTP.User != "" {
			log.Warn("SMTP_TLS_MODE=none with SMTP_USER: the password travels unencrypted; use starttls or tls unless the relay is on this host")
		}
		flt := filter(log, "EMAIL", e.Include, e.Exclude)
		var tune func(*outbox.Drainer)
		if e.ModeName() == "digest" && e.Digest() > 0 {
			interval := e.Digest()
			tune = func(d *outbox.Drainer) {
				// A digest collects for EMAIL_DIGEST_MINUTES from its first
				// event, across restarts, and goes out on SIGTERM when due.
				d.Hold = func(_ sink.Batch, oldest time.Time) time.Duration { return time.Until(oldest.Add(interval)) }
				d.FlushWithin = 5 * time.Second
			}
		}
		streams := streamFilters(log, st, "EMAIL", st.EmailTrafficInclude, st.EmailTrafficExclude, st.EmailProxyInclude, st.EmailProxyExclude)
		if err := add("email", s.mail, forPeople, &flt, streams, false, tune); err != nil {
			return nil, err
		}
		// Alerts never wait for a digest: they have their own outbox.
		if e.Alerts {
			if err := add("email-alerts", s.mail, forPeople, nil, nil, true, nil); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

func mailConfig(cfg *config.Config) email.Config {
	m := cfg.SMTP
	return email.Config{
		Transport: email.Transport{Host: m.Host, Port: m.Port, TLSMode: m.TLSMode, User: m.User, Password: m.Password.Reveal(), SkipVerify: bool(m.SkipVerify)},
		From:      m.From, To: m.To, Digest: cfg.Email.ModeName() == "digest", BurstLimit: int(cfg.Forwarder.BurstLimit),
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
		mc := mailConfig(cfg)
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
}

func (a *alerts) send(text string) {
	for _, b := range a.boxes {
		if err := b.Enqueue(nil, []string{text}); err != nil {
			a.log.Error("alert not queued", "sink", b.Name(), "alert", text, "err", err)
		}
	}
}

func (a *alerts) Outage(_ context.Context, d time.Duration, cause error) {
	text := audit.OutageText(d, cause)
	a.log.Error(text)
	a.send(text)
}

func (a *alerts) Recovered(_ context.Context, d time.Duration) {
	text := audit.RecoveryText(d)
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
func streamFilters(log *slog.Logger, st config.Streams, prefix string, tInc, tExc, pInc, pExc config.Globs) map[string]event.Filter {
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

// counted tells the metrics what a sink took.
type counted struct {
	sink.Sink
	m *metrics.M
}

func (c counted) Deliver(ctx context.Context, b sink.Batch) error {
	err := c.Sink.Deliver(ctx, b)
	var partial *sink.PartialError
	switch {
	case err == nil:
		c.m.Delivered(c.Name(), len(b.Events), b.Skipped, b.Dropped)
	case errors.As(err, &partial):
		c.m.Delivered(c.Name(), partial.Delivered, b.Skipped, b.Dropped)
	}
	return err
}
