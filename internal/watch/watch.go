// Package watch derives the alerts NetBird's audit log cannot give from
// cheap polls of the API: a routing peer (or a peer of WATCH_PEER_GROUPS)
// that stays disconnected, peers and users waiting for approval, setup keys
// and peer logins about to expire, a peer connecting from a new country. It
// keeps what it knows in watch.json next to the state file and emits
// synthetic birdseye.* events through the same sinks, globs and outboxes as
// audit events.
package watch

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/state"
)

// API is what the watch reads; *netbird.Client is one.
type API interface {
	ListPeers(ctx context.Context) ([]netbird.Peer, error)
	ListUsers(ctx context.Context) ([]netbird.User, error)
	ListSetupKeys(ctx context.Context) ([]netbird.SetupKey, error)
	ListRoutes(ctx context.Context) ([]netbird.Route, error)
	ListNetworkRouters(ctx context.Context) ([]netbird.NetworkRouter, error)
	GetAccountSettings(ctx context.Context) (netbird.AccountSettings, error)
	ListTokens(ctx context.Context, userID string) ([]netbird.Token, error)
	ListInvites(ctx context.Context) ([]netbird.Invite, error)
	ListProxyTokens(ctx context.Context) ([]netbird.ProxyToken, error)
	ListAuditEventsOf(ctx context.Context, codes ...string) ([]event.Event, error)
	ListPolicies(ctx context.Context) ([]netbird.Policy, error)
}

// Dispatcher hands events to the sinks.
type Dispatcher interface {
	Dispatch(ctx context.Context, evs []event.Event) error
}

// Config is the loop's timing and where it keeps its state.
type Config struct {
	Interval time.Duration
	// SlowEvery is how often what rarely changes (routes, routers, the
	// account's login expiration) is read again.
	SlowEvery time.Duration
	File      string
	Rules     Rules
	// Metrics, when set, counts the events the watch emits (stream "watch").
	Metrics *metrics.M
	// Digest, when set (WATCH_DIGEST), replaces the expiry alerts by one
	// message at its times, in Loc, listing everything within the lead time.
	Digest Schedule
	Loc    *time.Location
	// Observe, when set, sees each round's reading (FLEET_METRICS), which
	// then includes the policies, read with the routes every SlowEvery.
	Observe func(Observation)
}

// RequestsPerRound documents the cost of a round: peers, users and setup
// keys every Interval, plus routes, network routers, the account, invites
// and proxy tokens every SlowEvery, plus one request per user for its
// tokens every TokensEvery. FleetRequests are the slow reads the fleet
// metrics add (the policies).
const (
	RequestsPerRound, SlowRequests = 3, 5
	FleetRequests                  = 1
	TokensEvery                    = time.Hour
)

// Loop is the watch. Build it with New; run it once.
type Loop struct {
	cfg Config
	api API
	out Dispatcher
	log *slog.Logger
	st  *State
	// saved is watch.json as last read or written: a round that changed
	// nothing does not write the file again (a write and an fsync a minute).
	saved []byte
	slow  struct {
		at       time.Time
		routing  []netbird.Route
		routers  []netbird.NetworkRouter
		settings netbird.AccountSettings
		noRouter bool // the server has no /api/networks/routers
		invites  []netbird.Invite
		proxy    []netbird.ProxyToken
		policies []netbird.Policy
		// noInvites: no embedded IdP (412) or an older server; noProxy:
		// no reverse proxy API. Neither is asked again.
		noInvites, noProxy bool
		lastErr            string
	}
	// owners are who made setup keys and invites, from the audit events
	// the poller resolves; merged into the state by the next round.
	ownersMu sync.Mutex
	owners   map[string]string
	// seeded is set once the audit log was read for the owners of what
	// was made before birdseye ran (once a process, when one is missing).
	seeded bool
	tokens struct {
		at     time.Time
		byID   map[string][]netbird.Token // user id → tokens
		warned bool
	}
	lastErr string
	// stale is set when an audit event says routes, routers or the account
	// settings changed: the next round reads them again, not 15 minutes on.
	stale atomic.Bool
}

// Resolve sees the audit events before they go out (it is on the poller's
// resolver chain) and changes nothing in them: a route, network router or
// account settings change makes the next round read those again, so a new
// routing peer is watched within a round.
func (l *Loop) Resolve(_ context.Context, evs []event.Event) {
	for _, e := range evs {
		if e.Stream != "" {
			continue
		}
		if slowChange(e.ActivityCode) {
			l.stale.Store(true)
		}
		if k, who := ownerOf(e); k != "" {
			l.ownersMu.Lock()
			if l.owners == nil {
				l.owners = map[string]string{}
			}
			l.owners[k] = who
			l.ownersMu.Unlock()
		}
	}
}

func slowChange(code string) bool {
	for _, p := range []string{"route.", "network.router.", "network.delete", "account.setting", "user.invite.", "setupkey."} {
		if strings.HasPrefix(code, p) {
			return true
		}
	}
	return false
}

// New assembles a loop.
func New(cfg Config, api API, out Dispatcher, log *slog.Logger) *Loop {
	return &Loop{cfg: cfg, api: api, out: out, log: log.With("loop", "watch")}
}

// Run watches until ctx ends.
func (l *Loop) Run(ctx context.Context) {
	l.st = l.load()
	for {
		err := l.Once(ctx, time.Now())
		if ctx.Err() != nil {
			return
		}
		switch {
		case err == nil && l.lastErr != "":
			l.log.Info("watch works again")
			l.lastErr = ""
		case err != nil && err.Error() != l.lastErr:
			l.lastErr = err.Error()
			l.log.Error("watch round failed; nothing is lost, the next round compares again", "err", err)
		}
		t := time.NewTimer(l.cfg.Interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

func (l *Loop) load() *State {
	raw, err := os.ReadFile(l.cfg.File)
	if errors.Is(err, fs.ErrNotExist) {
		return NewState()
	}
	st := NewState()
	if err == nil {
		err = json.Unmarshal(raw, st)
	}
	if err != nil || st.Peers == nil || st.Pending == nil || st.Fired == nil {
		l.log.Warn("watch state unusable; starting afresh (approvals and expiries may be reported again)", "file", l.cfg.File, "err", err)
		return NewState()
	}
	if st.Owners == nil { // a watch.json of before the expiry radar
		st.Owners = map[string]string{}
	}
	if st.Spent == nil {
		st.Spent = map[string]int{}
	}
	l.saved = raw
	return st
}

// Once runs one round: read, compare, hand the events to the sinks, then
// save. When the sinks do not take the events the state is not advanced,
// so the next round reports them again.
func (l *Loop) Once(ctx context.Context, now time.Time) error {
	if l.st == nil {
		l.st = l.load()
	}
	// The owners the audit log named so far are taken before the lists are
	// read: those objects are in the lists (NetBird stores the object, then
	// its event), so the round does not forget them as gone. A later one
	// waits for the next round, whose lists are read afresh (stale).
	l.ownersMu.Lock()
	owners := l.owners
	l.owners = nil
	l.ownersMu.Unlock()
	obs, err := l.observe(ctx, now)
	if err != nil {
		l.ownersMu.Lock()
		for k, who := range owners {
			if _, later := l.owners[k]; !later {
				if l.owners == nil {
					l.owners = map[string]string{}
				}
				l.owners[k] = who
			}
		}
		l.ownersMu.Unlock()
		return err
	}
	if l.cfg.Observe != nil {
		l.cfg.Observe(obs)
	}
	next := clone(l.st)
	if !l.seeded && l.ownerMissing(obs) {
		l.seeded = true
		if err := l.seedOwners(ctx, next); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			l.log.Warn("the audit log was not read for who made the setup keys and invites; their alerts say the owner is not known", "err", err)
		}
	}
	for k, who := range owners {
		next.Owners[k] = who
	}
	evs := Round(l.cfg.Rules, next, obs, now)
	l.cfg.Metrics.Family("netbird_expiring_soon", "kind", ExpiringSoon(l.cfg.Rules, next, obs, now))
	if d := l.cfg.Digest; d != nil {
		// The alerts are still marked as given, so turning the digest off
		// later does not send them all at once.
		evs = slices.DeleteFunc(evs, func(e event.Event) bool { return slices.Contains(Digested, e.ActivityCode) })
		loc := cmp.Or(l.cfg.Loc, time.UTC)
		if next.DigestNext.IsZero() {
			next.DigestNext = d.Next(now.In(loc))
		}
		if !now.Before(next.DigestNext) {
			evs = append(evs, digest(l.cfg.Rules, next, obs, now)...)
			next.DigestNext = d.Next(now.In(loc))
		}
	}
	if len(evs) > 0 {
		if err := l.out.Dispatch(ctx, evs); err != nil {
			return fmt.Errorf("deliver watch events: %w", err)
		}
		l.cfg.Metrics.Seen(event.StreamWatch, len(evs))
	}
	l.st = next
	raw, _ := json.Marshal(l.st)
	if bytes.Equal(raw, l.saved) {
		return nil
	}
	if err := state.WriteAtomic(l.cfg.File, raw); err != nil {
		return fmt.Errorf("save watch state: %w", err)
	}
	l.saved = raw
	return nil
}

func (l *Loop) observe(ctx context.Context, now time.Time) (Observation, error) {
	var obs Observation
	var err error
	if obs.Peers, err = l.api.ListPeers(ctx); err != nil {
		return obs, fmt.Errorf("watch peers: %w", err)
	}
	if obs.Users, err = l.api.ListUsers(ctx); err != nil {
		return obs, fmt.Errorf("watch users: %w", err)
	}
	if obs.SetupKeys, err = l.api.ListSetupKeys(ctx); err != nil {
		return obs, fmt.Errorf("watch setup keys: %w", err)
	}
	if stale := l.stale.Swap(false); stale || l.slow.at.IsZero() || now.Sub(l.slow.at) >= l.cfg.SlowEvery {
		// What is read here only refines the round (which peers route, how
		// long logins last): a part the token may not read is left out,
		// said once, and the rest of the watch goes on.
		err := l.readSlow(ctx)
		if ctx.Err() != nil {
			return obs, ctx.Err()
		}
		if err != nil && err.Error() != l.slow.lastErr {
			l.log.Warn("watch: part of the configuration not read; routing peers or login expiry may be missed", "err", err)
		}
		l.slow.lastErr = ""
		if err != nil {
			l.slow.lastErr = err.Error()
		}
		l.slow.at = now
	}
	obs.Settings = l.slow.settings
	obs.Invites, obs.ProxyTokens = l.slow.invites, l.slow.proxy
	obs.Routes, obs.Routers, obs.Policies = l.slow.routing, l.slow.routers, l.slow.policies
	obs.Routing = routingPeers(obs.Peers, l.slow.routing, l.slow.routers)
	if l.tokens.at.IsZero() || now.Sub(l.tokens.at) >= TokensEvery {
		byID := map[string][]netbird.Token{}
		var failed error
		for _, u := range obs.Users {
			ts, err := l.api.ListTokens(ctx, u.ID)
			if ctx.Err() != nil {
				return obs, ctx.Err() // shutting down: not a permission problem to report
			}
			if err != nil {
				// A token that may not read others' tokens must not stop the
				// rest of the watch: token expiry is then left out.
				failed = fmt.Errorf("read the access tokens of %s: %w", u.Name, err)
				continue
			}
			byID[u.ID] = ts
		}
		if failed != nil && !l.tokens.warned {
			l.log.Warn("access-token expiry is not watched for some users; the rest of the watch goes on", "err", failed)
		}
		l.tokens.at, l.tokens.byID, l.tokens.warned = now, byID, failed != nil
	}
	obs.Tokens = l.tokens.byID
	return obs, nil
}

func clone(st *State) *State {
	raw, _ := json.Marshal(st)
	cp := NewState()
	json.Unmarshal(raw, cp)
	return cp
}
