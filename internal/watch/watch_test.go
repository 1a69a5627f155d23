package watch

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/netbird"
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// api is a NetBird whose objects the test changes between rounds.
type api struct {
	mu             sync.Mutex
	peers          []netbird.Peer
	users          []netbird.User
	keys           []netbird.SetupKey
	routes         []netbird.Route
	settings       netbird.AccountSettings
	tokens         map[string][]netbird.Token
	forbidTokens   string
	forbidAccounts bool
	invites        []netbird.Invite
	noInvites      bool // 412: no embedded IdP
	proxyTokens    []netbird.ProxyToken
	audit          []event.Event // newest first, as the server sends them
	policies       []netbird.Policy
	calls          map[string]int
	fail           error
}

func (a *api) count(name string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.calls == nil {
		a.calls = map[string]int{}
	}
	a.calls[name]++
	return a.fail
}
func (a *api) ListPeers(context.Context) ([]netbird.Peer, error) {
	err := a.count("peers")
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]netbird.Peer(nil), a.peers...), err
}
func (a *api) ListUsers(context.Context) ([]netbird.User, error) { return a.users, a.count("users") }
func (a *api) ListSetupKeys(context.Context) ([]netbird.SetupKey, error) {
	return a.keys, a.count("setup-keys")
}
func (a *api) ListRoutes(ctx context.Context) ([]netbird.Route, error) {
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return a.routes, a.count("routes")
}
func (a *api) ListNetworkRouters(context.Context) ([]netbird.NetworkRouter, error) {
	return nil, a.count("routers")
}
func (a *api) GetAccountSettings(context.Context) (netbird.AccountSettings, error) {
	if err := a.count("accounts"); err != nil || a.forbidAccounts {
		return netbird.AccountSettings{}, errors.Join(err, errors.New("GET /api/accounts: HTTP 403: permission denied"))
	}
	return a.settings, nil
}
func (a *api) ListTokens(ctx context.Context, user string) ([]netbird.Token, error) {
	if err := a.count("tokens"); err != nil {
		return nil, err
	}
	if ctx.Err() != nil { // as the real client: a stopped request fails
		return nil, ctx.Err()
	}
	if user == a.forbidTokens {
		return nil, errors.New("GET /api/users/" + user + "/tokens: HTTP 403: permission denied")
	}
	return a.tokens[user], nil
}
func (a *api) ListInvites(context.Context) ([]netbird.Invite, error) {
	if err := a.count("invites"); err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.noInvites {
		return nil, &netbird.Error{Method: "GET", Path: "/api/users/invites", Status: 412, Message: "embedded IdP is not enabled"}
	}
	return append([]netbird.Invite(nil), a.invites...), nil
}
func (a *api) ListProxyTokens(context.Context) ([]netbird.ProxyToken, error) {
	return a.proxyTokens, a.count("proxy-tokens")
}
func (a *api) ListAuditEventsOf(_ context.Context, codes ...string) ([]event.Event, error) {
	if err := a.count("audit"); err != nil {
		return nil, err
	}
	var out []event.Event
	for _, e := range a.audit {
		if slices.Contains(codes, e.ActivityCode) {
			out = append(out, e)
		}
	}
	return out, nil
}
func (a *api) ListPolicies(context.Context) ([]netbird.Policy, error) {
	return a.policies, a.count("policies")
}
func (a *api) total() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, c := range a.calls {
		n += c
	}
	return n
}
func (a *api) setPeer(p netbird.Peer) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := range a.peers {
		if a.peers[i].ID == p.ID {
			a.peers[i] = p
			return
		}
	}
	a.peers = append(a.peers, p)
}

type sinkRec struct {
	mu  sync.Mutex
	evs []event.Event
	err error
}

func (s *sinkRec) Dispatch(_ context.Context, evs []event.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	s.evs = append(s.evs, evs...)
	return nil
}
func (s *sinkRec) codes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, e := range s.evs {
		out = append(out, e.ActivityCode)
	}
	return out
}

var rules = Rules{DownAfter: 5 * time.Minute, ExpiryDays: 7}

func router(connected bool, lastSeen time.Time) netbird.Peer {
	return netbird.Peer{ID: "r1", Name: "office-router", IP: "100.77.0.1", Connected: connected, LastSeen: lastSeen, Groups: []netbird.GroupRef{{ID: "g-routers", Name: "Routers"}}}
}

func newLoop(t *testing.T, a *api, out *sinkRec, file string) *Loop {
	if file == "" {
		file = filepath.Join(t.TempDir(), "watch.json")
	}
	return New(Config{Interval: time.Minute, SlowEvery: 15 * time.Minute, File: file, Rules: rules}, a, out, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func TestARoutingPeerDownLessThanTheDebounceIsNotReportedAndLongerIsOnce(t *testing.T) {
	a := &api{routes: []netbird.Route{{ID: "rt", Enabled: true, PeerGroups: []string{"g-routers"}}}}
	a.setPeer(router(true, t0))
	out := &sinkRec{}
	l := newLoop(t, a, out, "")
	now := t0
	step := func(d time.Duration) { now = now.Add(d); require.NoError(t, l.Once(t.Context(), now)) }
	step(0)
	a.setPeer(router(false, now)) // drops
	step(time.Minute)
	step(time.Minute)
	a.setPeer(router(true, now)) // back after 2 minutes: a flap
	step(time.Minute)
	require.Empty(t, out.codes(), "a flap under WATCH_PEER_DOWN_MINUTES pages nobody")

	a.setPeer(router(false, now))
	for range 8 {
		step(time.Minute)
	}
	require.Equal(t, []string{CodeDisconnected}, out.codes(), "once, after five minutes")
	require.Equal(t, "Routing peer disconnected 5m ago", out.evs[0].Activity)
	require.Equal(t, "office-router", out.evs[0].Meta.Get("name"))
	a.setPeer(router(true, now))
	step(time.Minute)
	step(time.Minute)
	require.Equal(t, []string{CodeDisconnected, CodeReconnected}, out.codes())
	require.Equal(t, "Routing peer reconnected after 9m", out.evs[1].Activity)
}

func TestAPeerOfAWatchedGroupIsWatchedAndOthersAreNot(t *testing.T) {
	g, err := event.ParseGlobList("Servers*")
	require.NoError(t, err)
	a := &api{}
	a.setPeer(netbird.Peer{ID: "s", Name: "db", Groups: []netbird.GroupRef{{ID: "x", Name: "Servers-EU"}}, LastSeen: t0})
	a.setPeer(netbird.Peer{ID: "l", Name: "laptop", Groups: []netbird.GroupRef{{ID: "y", Name: "Laptops"}}, LastSeen: t0})
	out := &sinkRec{}
	l := newLoop(t, a, out, "")
	l.cfg.Rules.PeerGroups = g
	require.NoError(t, l.Once(t.Context(), t0.Add(10*time.Minute)))
	require.Len(t, out.evs, 1)
	require.Equal(t, "db", out.evs[0].Meta.Get("name"))
	require.Equal(t, "Peer disconnected 10m ago", out.evs[0].Activity)
}

func TestASetupKeyNearingExpiryIsReportedOncePerThreshold(t *testing.T) {
	exp := t0.Add(8 * 24 * time.Hour)
	a := &api{keys: []netbird.SetupKey{{ID: "k", Name: "office-2026", Valid: true, Expires: exp, Type: "reusable"}}}
	out := &sinkRec{}
	file := filepath.Join(t.TempDir(), "watch.json")
	l := newLoop(t, a, out, file)
	require.NoError(t, l.Once(t.Context(), t0))
	require.Empty(t, out.codes(), "eight days left")
	require.NoError(t, l.Once(t.Context(), t0.Add(25*time.Hour)))
	require.NoError(t, l.Once(t.Context(), t0.Add(26*time.Hour)))
	require.Equal(t, []string{CodeKeyExpiring}, out.codes())
	require.Equal(t, "Setup key expires in 6d23h", out.evs[0].Activity)

	l = newLoop(t, a, out, file) // a restart
	require.NoError(t, l.Once(t.Context(), t0.Add(27*time.Hour)))
	require.Len(t, out.evs, 1, "not again after a restart")
	require.NoError(t, l.Once(t.Context(), t0.Add(7*24*time.Hour+time.Hour)))
	require.Equal(t, []string{CodeKeyExpiring, CodeKeyExpiring}, out.codes(), "the last day")
	require.Equal(t, "Setup key expires in 23h", out.evs[1].Activity)

	a.keys[0].Expires = exp.Add(30 * 24 * time.Hour) // renewed: nothing until the new date nears
	require.NoError(t, l.Once(t.Context(), t0.Add(7*24*time.Hour+2*time.Hour)))
	require.Len(t, out.evs, 2)
}

func TestApprovalsAreReportedOnceWhilePending(t *testing.T) {
	a := &api{users: []netbird.User{{ID: "u", Name: "Eve", Email: "eve@example.com", PendingApproval: true}}}
	a.setPeer(netbird.Peer{ID: "p", Name: "new-laptop", ApprovalRequired: true, Connected: true})
	out := &sinkRec{}
	file := filepath.Join(t.TempDir(), "watch.json")
	l := newLoop(t, a, out, file)
	require.NoError(t, l.Once(t.Context(), t0))
	require.ElementsMatch(t, []string{CodePeerApproval, CodeUserApproval}, out.codes())
	require.NoError(t, l.Once(t.Context(), t0.Add(time.Minute)))
	require.NoError(t, newLoop(t, a, out, file).Once(t.Context(), t0.Add(2*time.Minute)))
	require.Len(t, out.evs, 2, "not again, also not after a restart")

	a.setPeer(netbird.Peer{ID: "p", Name: "new-laptop", Connected: true}) // approved
	require.NoError(t, l.Once(t.Context(), t0.Add(3*time.Minute)))
	a.setPeer(netbird.Peer{ID: "p", Name: "new-laptop", ApprovalRequired: true, Connected: true}) // asks again
	require.NoError(t, l.Once(t.Context(), t0.Add(4*time.Minute)))
	require.Len(t, out.evs, 3)
}

func TestANewCountryIsReportedAndTheFirstIsLearnt(t *testing.T) {
	a := &api{}
	a.setPeer(netbird.Peer{ID: "p", Name: "laptop", Connected: true, CountryCode: "DE", ConnectionIP: "198.51.100.4"})
	out := &sinkRec{}
	l := newLoop(t, a, out, "")
	require.NoError(t, l.Once(t.Context(), t0))
	a.setPeer(netbird.Peer{ID: "p", Name: "laptop", Connected: true, CountryCode: "BR", ConnectionIP: "203.0.113.9"})
	require.NoError(t, l.Once(t.Context(), t0.Add(time.Minute)))
	a.setPeer(netbird.Peer{ID: "p", Name: "laptop", Connected: true, CountryCode: "DE"})
	require.NoError(t, l.Once(t.Context(), t0.Add(2*time.Minute)))
	require.Equal(t, []string{CodeNewCountry}, out.codes())
	require.Equal(t, "Peer connected from a new country: BR", out.evs[0].Activity)
	require.Equal(t, "DE", out.evs[0].Meta.Get("countries_before"))
}

func TestALoginOfOneDayIsNotWarnedAboutButOneOf30DaysIs(t *testing.T) {
	a := &api{settings: netbird.AccountSettings{PeerLoginExpirationEnabled: true, PeerLoginExpiration: 86400}}
	a.setPeer(netbird.Peer{ID: "p", Name: "laptop", Connected: true, LoginExpirationEnabled: true, LastLogin: t0})
	out := &sinkRec{}
	l := newLoop(t, a, out, "")
	require.NoError(t, l.Once(t.Context(), t0.Add(12*time.Hour)))
	require.Empty(t, out.codes(), "a daily login would warn every day")

	a.settings.PeerLoginExpiration = 30 * 86400
	l = newLoop(t, a, out, "")
	require.NoError(t, l.Once(t.Context(), t0.Add(22*24*time.Hour)))
	require.NoError(t, l.Once(t.Context(), t0.Add(23*24*time.Hour+time.Minute)))
	require.Equal(t, []string{CodeLoginExpiring}, out.codes())
}

func TestEventsTheSinksDidNotTakeComeAgainNextRound(t *testing.T) {
	a := &api{users: []netbird.User{{ID: "u", Name: "Eve", PendingApproval: true}}}
	out := &sinkRec{err: errors.New("outbox: disk full")}
	l := newLoop(t, a, out, "")
	require.Error(t, l.Once(t.Context(), t0))
	out.err = nil
	require.NoError(t, l.Once(t.Context(), t0.Add(time.Minute)))
	require.Equal(t, []string{CodeUserApproval}, out.codes())
}

func TestTheWatchMakesThreeRequestsAMinuteAndFiveMoreEveryQuarterHour(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := &api{}
		l := newLoop(t, a, &sinkRec{}, "")
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { l.Run(ctx); close(done) }()
		time.Sleep(31*time.Minute - time.Second) // rounds at 0, 1, …, 30 minutes
		synctest.Wait()
		cancel()
		<-done
		require.Equal(t, 31*RequestsPerRound+3*SlowRequests, a.total())
		require.Equal(t, 3, a.calls["routes"], "at 0, 15 and 30 minutes")
	})
}

func TestSpansReadLikePeopleSayThem(t *testing.T) {
	for d, want := range map[time.Duration]string{31 * time.Second: "31s", 90 * time.Second: "1m", 72*time.Hour - 10*time.Millisecond: "3d", 7 * time.Minute: "7m", time.Hour: "1h", 3*time.Hour + 12*time.Minute: "3h12m",
		72 * time.Hour: "3d", 52 * time.Hour: "2d4h", 6*24*time.Hour + 23*time.Hour: "6d23h"} {
		require.Equal(t, want, span(d), d)
	}
}

func TestATokenNearingExpiryIsReportedAndTokensAreReadHourly(t *testing.T) {
	a := &api{users: []netbird.User{{ID: "svc", Name: "ci-bot", IsServiceUser: true}, {ID: "u2", Name: "Eve"}},
		tokens: map[string][]netbird.Token{"svc": {{ID: "t1", Name: "ci-deploy", ExpirationDate: t0.Add(5 * 24 * time.Hour)}}}}
	out := &sinkRec{}
	l := newLoop(t, a, out, "")
	for m := range 61 {
		require.NoError(t, l.Once(t.Context(), t0.Add(time.Duration(m)*time.Minute)))
	}
	require.Equal(t, []string{CodeTokenExpiring}, out.codes())
	require.Equal(t, "Personal access token expires in 5d", out.evs[0].Activity)
	require.Equal(t, "ci-bot", out.evs[0].Meta.Get("user"))
	require.Equal(t, 4, a.calls["tokens"], "one request per user, at the start and after an hour")
}

func TestAPeerThatDroppedWhileBirdseyeWasDownIsReportedAfterTheRestart(t *testing.T) {
	a := &api{routes: []netbird.Route{{ID: "rt", Enabled: true, Peer: "r1"}}}
	a.setPeer(router(true, t0))
	out := &sinkRec{}
	file := filepath.Join(t.TempDir(), "watch.json")
	require.NoError(t, newLoop(t, a, out, file).Once(t.Context(), t0))
	a.setPeer(router(false, t0.Add(time.Minute))) // birdseye is down meanwhile
	require.NoError(t, newLoop(t, a, out, file).Once(t.Context(), t0.Add(30*time.Minute)))
	require.Equal(t, []string{CodeDisconnected}, out.codes())
	require.Equal(t, "Routing peer disconnected 29m ago", out.evs[0].Activity, "measured from the last time the server saw it")
}

func TestTokensThatMayNotBeReadLeaveTheRestOfTheWatchRunning(t *testing.T) {
	a := &api{users: []netbird.User{{ID: "admin", Name: "Admin"}, {ID: "svc", Name: "ci-bot", PendingApproval: true}},
		tokens: map[string][]netbird.Token{"svc": {{ID: "t1", Name: "deploy", ExpirationDate: t0.Add(2 * 24 * time.Hour)}}}, forbidTokens: "admin"}
	out := &sinkRec{}
	require.NoError(t, newLoop(t, a, out, "").Once(t.Context(), t0))
	require.ElementsMatch(t, []string{CodeUserApproval, CodeTokenExpiring}, out.codes())
}

func TestAnAccountTheTokenMayNotReadLeavesTheRoutingPeersWatched(t *testing.T) {
	a := &api{routes: []netbird.Route{{ID: "rt", Enabled: true, Peer: "r1"}}, forbidAccounts: true}
	a.setPeer(router(false, t0))
	out := &sinkRec{}
	require.NoError(t, newLoop(t, a, out, "").Once(t.Context(), t0.Add(10*time.Minute)))
	require.Equal(t, []string{CodeDisconnected}, out.codes())
}

func TestTheWatchsEventsAreCountedAsSeen(t *testing.T) {
	a := &api{users: []netbird.User{{ID: "u", Name: "Eve", PendingApproval: true}, {ID: "v", Name: "Mallory", PendingApproval: true}}}
	m := metrics.New()
	l := newLoop(t, a, &sinkRec{}, "")
	l.cfg.Metrics = m
	require.NoError(t, l.Once(t.Context(), t0))
	rec := httptest.NewRecorder()
	m.Handler(func() error { return nil }).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	require.Contains(t, rec.Body.String(), `birdseye_events_seen_total{stream="watch"} 2`)
}

func TestARoundThatChangesNothingDoesNotRewriteTheStateFile(t *testing.T) {
	a := &api{routes: []netbird.Route{{ID: "rt", Enabled: true, PeerGroups: []string{"g-routers"}}}}
	a.setPeer(router(true, t0))
	file := filepath.Join(t.TempDir(), "watch.json")
	l := newLoop(t, a, &sinkRec{}, file)
	require.NoError(t, l.Once(t.Context(), t0))
	// Marks the file: a rewrite (a new file renamed over it) carries the time of now.
	marked := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, os.Chtimes(file, marked, marked))
	mtime := func() time.Time {
		fi, err := os.Stat(file)
		require.NoError(t, err)
		return fi.ModTime().UTC()
	}

	require.NoError(t, l.Once(t.Context(), t0.Add(time.Minute)))
	// A restart reads the file back: an unchanged round after it writes nothing either.
	l = newLoop(t, a, &sinkRec{}, file)
	require.NoError(t, l.Once(t.Context(), t0.Add(2*time.Minute)))
	require.Equal(t, marked, mtime(), "unchanged state: the file is not written")

	a.setPeer(router(false, t0.Add(3*time.Minute))) // the router drops: the state changes
	require.NoError(t, l.Once(t.Context(), t0.Add(3*time.Minute)))
	require.NotEqual(t, marked, mtime(), "a changed state is saved")
}

// A route created for a peer makes it a routing peer at the next round, not
// at the next 15-minute refresh: the route.add event passing by says so.
func TestARouteEventMakesTheNextRoundReadTheRoutesAgain(t *testing.T) {
	a := &api{}
	a.setPeer(router(true, t0))
	out := &sinkRec{}
	l := newLoop(t, a, out, "")
	now := t0
	step := func(d time.Duration) { now = now.Add(d); require.NoError(t, l.Once(t.Context(), now)) }
	step(0)
	a.mu.Lock()
	a.routes = []netbird.Route{{ID: "rt", Enabled: true, PeerGroups: []string{"g-routers"}}}
	a.mu.Unlock()
	l.Resolve(t.Context(), []event.Event{{ID: 9, ActivityCode: "route.add"}})
	step(time.Minute) // reads the routes now
	a.setPeer(router(false, now))
	for range 6 {
		step(time.Minute)
	}
	require.Equal(t, []string{CodeDisconnected}, out.codes(), "watched as a routing peer within minutes of the route")

	before := a.calls["routes"]
	l.Resolve(t.Context(), []event.Event{{ID: 10, ActivityCode: "peer.login.expire"}})
	step(time.Minute)
	require.Equal(t, before, a.calls["routes"], "other events do not make it read again")
}

// Stopping in the middle of a round is not a permission problem: nothing is
// reported about tokens or routes that could not be read.
func TestAStopDuringARoundWarnsAboutNothing(t *testing.T) {
	a := &api{}
	a.setPeer(router(true, t0))
	a.users = []netbird.User{{ID: "u1", Name: "alice"}}
	var logs bytes.Buffer
	l := New(Config{Interval: time.Minute, SlowEvery: 15 * time.Minute, File: filepath.Join(t.TempDir(), "w.json"), Rules: rules}, a, &sinkRec{}, slog.New(slog.NewTextHandler(&logs, nil)))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.Error(t, l.Once(ctx, t0))
	require.NotContains(t, logs.String(), "level=WARN")
}
