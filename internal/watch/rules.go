package watch

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird"
)

// Rules are the thresholds of the watch (WATCH_*).
type Rules struct {
	// PeerGroups: peers in a group whose name matches are watched like
	// routing peers (WATCH_PEER_GROUPS).
	PeerGroups []event.Glob
	// DownAfter is how long a watched peer must stay disconnected before it
	// is reported (WATCH_PEER_DOWN_MINUTES): a flapping laptop pages nobody.
	DownAfter time.Duration
	// ExpiryDays is the early warning for setup keys and peer logins
	// (WATCH_EXPIRY_DAYS); a second warning comes one day before.
	ExpiryDays int
}

// Observation is what one round read from the API.
type Observation struct {
	Peers     []netbird.Peer
	Users     []netbird.User
	SetupKeys []netbird.SetupKey
	// Routing is the ids of the peers that route (routes and network
	// routers, group members included).
	Routing map[string]bool
	// Settings are the account settings (peer login expiration).
	Settings netbird.AccountSettings
	// Tokens are each user's personal access tokens, by user id.
	Tokens map[string][]netbird.Token
	// Invites are the pending invite links (nil when not read: a server
	// without the embedded IdP has none); ProxyTokens the reverse proxy's.
	Invites     []netbird.Invite
	ProxyTokens []netbird.ProxyToken
	// Routes, Routers and Policies are as last read (every SlowEvery);
	// Policies only when the fleet metrics are on.
	Routes   []netbird.Route
	Routers  []netbird.NetworkRouter
	Policies []netbird.Policy
}

// State is what the watch remembers between rounds and restarts.
type State struct {
	Peers map[string]*PeerState `json:"peers"`
	// Pending holds the approvals already reported ("peer:<id>", "user:<id>").
	Pending map[string]bool `json:"pending"`
	// Fired holds the expiry warnings already given, with the expiry they
	// were about, so that a renewed key or login is warned about again.
	Fired map[string]time.Time `json:"fired"`
	// Owners are who made a setup key or an invite ("setupkey|<id>",
	// "invite|<id>"), read from the audit log as it passes; Spent the
	// usage limit a reusable key's nearly spent uses were told at.
	Owners map[string]string `json:"owners,omitempty"`
	Spent  map[string]int    `json:"spent,omitempty"`
	// DigestNext is when WATCH_DIGEST's next message is due: a restart
	// neither repeats nor skips one.
	DigestNext time.Time `json:"digest_next,omitzero"`
}

// PeerState is what the watch knows of one peer.
type PeerState struct {
	Name string `json:"name"`
	// DownSince is when a watched peer was last seen before it dropped.
	DownSince time.Time `json:"down_since,omitzero"`
	// Reported is true once its disconnection went out.
	Reported  bool     `json:"reported,omitempty"`
	Countries []string `json:"countries,omitempty"`
}

// NewState is the state of a first start.
func NewState() *State {
	return &State{Peers: map[string]*PeerState{}, Pending: map[string]bool{}, Fired: map[string]time.Time{}, Owners: map[string]string{}, Spent: map[string]int{}}
}

const maxCountries = 20

// Round compares one observation with the state, updates the state and
// returns the synthetic events, in a stable order.
func Round(r Rules, st *State, obs Observation, now time.Time) []event.Event {
	var out []event.Event
	seen := map[string]bool{}
	userName := map[string]string{}
	for _, u := range obs.Users {
		userName[u.ID] = cmp.Or(u.Name, u.Email)
	}
	for _, p := range obs.Peers {
		seen[p.ID] = true
		ps := st.Peers[p.ID]
		if ps == nil {
			ps = &PeerState{}
			st.Peers[p.ID] = ps
		}
		ps.Name = p.Name
		if obs.Routing[p.ID] || r.watchedByGroup(p) {
			out = append(out, r.health(ps, p, obs.Routing[p.ID], now)...)
		} else {
			ps.DownSince, ps.Reported = time.Time{}, false
		}
		out = append(out, country(ps, p, now)...)
		out = append(out, st.pending("peer:"+p.ID, p.ApprovalRequired, func() event.Event { return peerApproval(p, now) })...)
		if obs.Settings.PeerLoginExpirationEnabled && p.LoginExpirationEnabled && !p.LastLogin.IsZero() && obs.Settings.PeerLoginExpiration > 0 {
			period := time.Duration(obs.Settings.PeerLoginExpiration) * time.Second
			expires := p.LastLogin.Add(period)
			out = append(out, st.expiry(r, "peer.login|"+p.ID, expires, period, now, func(left time.Duration) event.Event { return loginExpiring(p, userName[p.UserID], expires, left, now) })...)
		}
	}
	for id := range st.Peers {
		if !seen[id] {
			delete(st.Peers, id)
		}
	}
	users := map[string]bool{}
	for _, u := range obs.Users {
		users["user:"+u.ID] = true
		out = append(out, st.pending("user:"+u.ID, u.PendingApproval, func() event.Event { return userApproval(u, now) })...)
		for _, tok := range obs.Tokens[u.ID] {
			if tok.ExpirationDate.IsZero() {
				continue
			}
			out = append(out, st.expiry(r, "token|"+tok.ID, tok.ExpirationDate, 0, now, func(left time.Duration) event.Event { return tokenExpiring(u, tok, left, now) })...)
		}
	}
	for k := range st.Pending {
		if k[:5] == "user:" && !users[k] || k[:5] == "peer:" && !seen[k[5:]] {
			delete(st.Pending, k)
		}
	}
	for _, k := range obs.SetupKeys {
		if k.Revoked || !k.Valid || k.Expires.IsZero() {
			continue
		}
		out = append(out, st.expiry(r, "setupkey|"+k.ID, k.Expires, 0, now, func(left time.Duration) event.Event {
			return keyExpiring(k, st.Owners["setupkey|"+k.ID], left, now)
		})...)
	}
	out = append(out, st.radar(r, obs, now)...)
	for k, exp := range st.Fired {
		if now.Sub(exp) > 24*time.Hour {
			delete(st.Fired, k)
		}
	}
	return out
}

func (r Rules) watchedByGroup(p netbird.Peer) bool {
	for _, g := range p.Groups {
		for _, pat := range r.PeerGroups {
			if pat.Match(g.Name) {
				return true
			}
		}
	}
	return false
}

// health debounces a watched peer's connection: disconnected is reported
// once it has been down DownAfter, reconnected only after that report.
func (r Rules) health(ps *PeerState, p netbird.Peer, routing bool, now time.Time) []event.Event {
	if p.Connected {
		var out []event.Event
		if ps.Reported {
			out = append(out, reconnected(p, routing, ps.DownSince, now))
		}
		ps.DownSince, ps.Reported = time.Time{}, false
		return out
	}
	if ps.DownSince.IsZero() {
		ps.DownSince = p.LastSeen
		if ps.DownSince.IsZero() || ps.DownSince.After(now) {
			ps.DownSince = now
		}
	}
	if !ps.Reported && now.Sub(ps.DownSince) >= r.DownAfter {
		ps.Reported = true
		return []event.Event{disconnected(p, routing, ps.DownSince, now)}
	}
	return nil
}

// country reports a connection from a country the peer never used; the
// first country seen is only learnt.
func country(ps *PeerState, p netbird.Peer, now time.Time) []event.Event {
	cc := p.CountryCode
	if cc == "" || slices.Contains(ps.Countries, cc) {
		return nil
	}
	first := len(ps.Countries) == 0
	ps.Countries = append(ps.Countries, cc)
	if len(ps.Countries) > maxCountries {
		ps.Countries = ps.Countries[1:]
	}
	if first {
		return nil
	}
	return []event.Event{newCountry(p, ps.Countries[:len(ps.Countries)-1], now)}
}

// pending reports an approval once while it is pending.
func (st *State) pending(key string, pending bool, ev func() event.Event) []event.Event {
	switch {
	case pending && !st.Pending[key]:
		st.Pending[key] = true
		return []event.Event{ev()}
	case !pending:
		delete(st.Pending, key)
	}
	return nil
}

// thresholds are the warnings before an expiry, longest first.
func (r Rules) thresholds() []time.Duration {
	days := []int{r.ExpiryDays, 1}
	sort.Sort(sort.Reverse(sort.IntSlice(days)))
	days = slices.Compact(days)
	var out []time.Duration
	for _, d := range days {
		if d > 0 {
			out = append(out, time.Duration(d)*24*time.Hour)
		}
	}
	return out
}

// expiry warns once per threshold crossed (only the nearest when several
// are crossed at once). A threshold as long as the validity itself (a
// one-day login warned a day ahead) would fire at every renewal: skipped.
func (st *State) expiry(r Rules, object string, expires time.Time, validity time.Duration, now time.Time, ev func(left time.Duration) event.Event) []event.Event {
	left := expires.Sub(now)
	if left <= 0 {
		return nil
	}
	fire := false
	for _, t := range r.thresholds() {
		if left > t || (validity > 0 && t >= validity) {
			continue
		}
		k := fmt.Sprintf("%s|%d|%s", object, expires.Unix(), strconv.Itoa(int(t.Hours()/24)))
		if _, done := st.Fired[k]; !done {
			st.Fired[k] = expires
			fire = true
		}
	}
	if !fire {
		return nil
	}
	return []event.Event{ev(left)}
}
