// Package app turns a validated configuration into the running forwarder:
// it builds the NetBird client, the sinks with their outboxes and drainers,
// and the poll loop, says at start what it is going to do, and runs until its
// context ends.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/styliteag/birdseye/internal/apibudget"
	"github.com/styliteag/birdseye/internal/apiclient"
	"github.com/styliteag/birdseye/internal/audit"
	"github.com/styliteag/birdseye/internal/certwatch"
	"github.com/styliteag/birdseye/internal/changes"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/fleet"
	"github.com/styliteag/birdseye/internal/initiator"
	"github.com/styliteag/birdseye/internal/jobs"
	"github.com/styliteag/birdseye/internal/memtrim"
	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/proxylog"
	"github.com/styliteag/birdseye/internal/state"
	"github.com/styliteag/birdseye/internal/stream"
	"github.com/styliteag/birdseye/internal/traffic"
	"github.com/styliteag/birdseye/internal/updates"
	"github.com/styliteag/birdseye/internal/version"
	"github.com/styliteag/birdseye/internal/watch"
)

// Options change how Run behaves for `birdseye demo`.
type Options struct {
	// Simulated is true when NB_URL is birdseye's own simulated server:
	// the rate-limit advice does not apply there.
	Simulated bool
}

// resolvers fill in what an event does not say before it goes out: the
// initiator's name, and (CHANGE_DIFFS) what the change changed. The
// configuration snapshots are taken at start, in the background.
func resolvers(ctx context.Context, wg *sync.WaitGroup, cfg *config.Config, client *netbird.Client, log *slog.Logger, more ...audit.Resolver) audit.Resolver {
	names := initiator.New(client, log)
	names.FillNames = cfg.Events.FromDB() // the store's events carry only ids
	chain := append(audit.Resolvers{names}, more...)
	if cfg.Watch.ChangeDiffs {
		tr := &changes.Tracker{API: client, Dir: filepath.Dir(cfg.Forwarder.StateFile), Log: log}
		wg.Go(guard(func() {
			if err := tr.Prime(ctx); err != nil && ctx.Err() == nil {
				log.Warn("configuration snapshot incomplete; changes to what it misses show no before-state until the next one", "err", err)
			}
		}))
		chain = append(chain, tr)
	}
	return chain
}

// streamLoops are the loops of the streams that are on.
func streamLoops(cfg *config.Config, client *netbird.Client, store *state.Shared, out stream.Dispatcher, log *slog.Logger, m *metrics.M) []*stream.Loop {
	st := cfg.Streams
	var loops []*stream.Loop
	if st.Traffic {
		// 20 pages of 1,000 a poll: a busy network's minute, with memory
		// bounded (see traffic.Poll).
		loops = append(loops, stream.New(stream.Config{Name: event.StreamTraffic, Title: "traffic events", Variable: "TRAFFIC_EVENTS",
			Interval: st.TrafficInterval.D(), BackoffCap: cfg.Forwarder.BackoffCap.D(), Recheck: time.Hour, Metrics: m},
			traffic.Source{API: client, MaxPages: 20, PageSize: 1000, Behind: func(waiting int) {
				m.PollCapped(event.StreamTraffic)
				log.Warn("traffic events: more new records than one poll reads (20,000); the oldest were read, the rest follow in the next polls, in order",
					"stream", event.StreamTraffic, "waiting", waiting)
			}}, store, out, log))
		log.Info("forwarding traffic events", "interval", st.TrafficInterval.D())
	}
	if st.Proxy {
		loops = append(loops, stream.New(stream.Config{Name: event.StreamProxy, Title: "proxy access log", Variable: "PROXY_LOGS",
			Interval: st.ProxyInterval.D(), BackoffCap: cfg.Forwarder.BackoffCap.D(), Recheck: time.Hour, Metrics: m},
			proxylog.Source{API: client, MaxPages: 50}, store, out, log))
		log.Info("forwarding the proxy access log", "interval", st.ProxyInterval.D())
	}
	return loops
}

func sourceName(s updates.Source) string {
	if s == nil {
		return "off"
	}
	return s.String()
}

// Run runs the forwarder. It returns nil when ctx ends, and an error wrapping
// audit.ErrFatal when restarting cannot help.
func Run(ctx context.Context, cfg *config.Config, log *slog.Logger, out io.Writer, opt Options) error {
	client, err := apiclient.New(cfg.NetBird, cfg.NetBird.APIKey.Reveal())
	if err != nil {
		return err
	}
	client.Log = log
	for _, w := range config.Unknown(os.Environ()) {
		log.Warn(w.String())
	}
	f := cfg.Forwarder
	lock, err := state.Claim(filepath.Dir(f.StateFile))
	if err != nil {
		return err
	}
	defer lock.Release()
	// Claimed: no other daemon writes here, so what a crash left is ours.
	if n, err := state.Sweep(filepath.Dir(f.StateFile), time.Now()); err != nil {
		log.Warn("temporary files in the state directory not cleaned", "err", err)
	} else if n > 0 {
		log.Info("removed temporary files an earlier crash left in the state directory", "count", n)
	}
	var m *metrics.M
	if cfg.Metrics.Addr != "" {
		m = metrics.New()
	}
	sinks, err := buildSinks(cfg, log, out, m)
	if err != nil {
		return err
	}
	log.Info("birdseye starting",
		"version", version.Version,
		"nb_url", client.BaseURL(),
		"poll_interval", f.PollInterval.D(),
		"state_file", f.StateFile,
		"sinks", strings.Join(sinks.dispatch.Names(), ","),
		"tz", cfg.Log.TZ.Name)
	// With EVENTS_SOURCE=db the audit events are not polled from the API.
	if f.PollInterval.D().Seconds() < 10 && !opt.Simulated && !cfg.Events.FromDB() {
		log.Warn("POLL_INTERVAL is under 10 s: with NetBird's optional API rate limiter on (6 requests a minute per token) polls will get 429 answers",
			"poll_interval", f.PollInterval.D())
	}
	if n, parts := apibudget.PerMinute(cfg); n > apibudget.Limit && !opt.Simulated && (f.PollInterval.D().Seconds() >= 10 || cfg.Events.FromDB()) {
		log.Warn(fmt.Sprintf("about %.1f API requests a minute with NB_API_KEY (%s): NetBird's optional rate limiter allows %.0f a minute per token; "+
			"if it is on, raise WATCH_INTERVAL or the poll intervals (after a 429 every loop waits as long as the server says)", n, parts, apibudget.Limit))
	}
	sinks.startupProbes(ctx, cfg, log)

	sched, err := jobs.Scheduler(cfg, log, m)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for _, d := range sinks.drainers {
		wg.Go(guard(func() { d.Run(ctx) }))
	}
	wg.Go(guard(func() { sched.Run(ctx, 10*time.Second) }))
	memtrim.LowerGCGoal()
	wg.Go(guard(func() { memtrim.WhenIdle(ctx, 2*time.Minute, memtrim.DefaultSettle, log) }))
	if m != nil {
		ready := func() error {
			if h := state.Check(f.StateFile, time.Now()); !h.Healthy {
				return errors.New(strings.Join(h.Lines, "; "))
			}
			return nil
		}
		wg.Go(guard(func() {
			if err := m.Serve(ctx, cfg.Metrics.Addr, ready); err != nil {
				log.Error("metrics endpoint not served", "addr", cfg.Metrics.Addr, "err", err)
			}
		}))
		log.Info("metrics served", "addr", cfg.Metrics.Addr, "paths", "/metrics /healthz /readyz")
	}
	store := state.NewShared(state.File{Path: f.StateFile})
	for _, sl := range streamLoops(cfg, client, store, sinks.dispatch, log, m) {
		wg.Go(guard(func() { sl.Run(ctx) }))
	}
	var observers []audit.Resolver
	if w := cfg.Watch; w.On {
		wc := watch.Config{Interval: w.Interval.D(), SlowEvery: 15 * time.Minute, File: filepath.Join(filepath.Dir(f.StateFile), "watch.json"),
			Rules: watch.Rules{PeerGroups: w.PeerGroups.Globs, DownAfter: w.DownMinutes.D(), ExpiryDays: int(w.ExpiryDays)}, Metrics: m, Loc: cfg.Log.TZ.Loc}
		if w.Fleet {
			wc.Observe = func(o watch.Observation) {
				fleet.Record(m, fleet.Snapshot{Peers: o.Peers, Users: o.Users, SetupKeys: o.SetupKeys, Routes: o.Routes, Routers: o.Routers,
					Policies: o.Policies, Routing: o.Routing}, time.Now())
			}
			log.Info("fleet metrics on: the network's gauges on /metrics", "addr", cfg.Metrics.Addr)
		}
		if d, _ := w.DigestSchedule(); d != nil { // checked when the configuration was read
			wc.Digest = d
			log.Info("the expiry alerts go out as one digest", "schedule", w.Digest, "tz", cfg.Log.TZ.Name)
		}
		wl := watch.New(wc, client, sinks.dispatch, log)
		wg.Go(guard(func() { wl.Run(ctx) }))
		observers = append(observers, wl) // route and router events refresh what it knows routes
		log.Info("watching peers, approvals and expiries", "interval", w.Interval.D(), "peer_down_after", w.DownMinutes.D(), "peer_groups", w.PeerGroups.Raw)
	}
	if uw := jobs.UpdateWatch(cfg, client, sinks.dispatch, log, m); uw != nil {
		wg.Go(guard(func() { uw.Run(ctx) }))
		log.Info("checking for NetBird releases once a day", "release_source", sourceName(uw.Checker.Release), "birdseye_source", sourceName(uw.Checker.Own))
	}
	if cw := jobs.CertWatch(cfg, sinks.dispatch, log, m); cw != nil {
		wg.Go(guard(func() { cw.Run(ctx) }))
		log.Info("watching TLS certificates", "endpoints", certwatch.Describe(cw.Targets), "interval", cw.Interval, "lead_days", cfg.Watch.CertDays.String())
	}
	var src audit.Source = client
	interval := f.PollInterval.D()
	if cfg.Events.FromDB() {
		db, err := openEventsDB(ctx, cfg, client, log)
		if err != nil {
			log.Warn("the activity store (EVENTS_DB) is not usable; the audit events are read from the API instead", "err", err)
			m.EventsSource("api")
		} else {
			defer db.Store.Close()
			db.Room = heldBack(sinks.drainers, log)
			src, interval = db, cfg.Events.Interval.D()
			sinks.alerts.fromStore = true
			m.EventsSource("db")
		}
	} else {
		m.EventsSource("api")
	}
	p := audit.New(audit.Config{
		Interval:         interval,
		BackoffCap:       f.BackoffCap.D(),
		OutageAlertAfter: f.OutageAlertAfter.D(),
		BacklogWarn:      int(f.BacklogWarnThreshold),
		Backfill:         int(f.Backfill),
		HeartbeatFile:    state.HeartbeatPath(f.StateFile),
		Metrics:          m,
		FromStore:        sinks.alerts.fromStore,
	}, src, store, sinks.dispatch, resolvers(ctx, &wg, cfg, client, log, observers...), sinks.alerts, log)
	err = p.Run(ctx)
	cancel()
	wg.Wait()
	return err
}
