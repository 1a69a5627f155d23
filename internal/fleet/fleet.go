// Package fleet turns what the watch reads of a NetBird account (peers,
// users, setup keys, routes, policies) into Prometheus gauges under the
// netbird_ prefix (FLEET_METRICS), so that one container gives both
// birdseye's own metrics and the network's, with no request of its own.
//
// Label values come from the account (versions, groups, countries, key
// names): each labelled family keeps the MaxSeries largest values and
// sums the rest under "other", so a large account cannot grow the scrape
// without bound.
package fleet

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/netbird"
)

// MaxSeries is the most series a labelled family has, "other" included;
// MaxRoutingPeers the most routing peers named one by one.
const (
	MaxSeries       = 30
	MaxRoutingPeers = 100
)

// Snapshot is one round's reading. A nil list was not read this round
// (its gauges keep their last values); an empty one is read and empty.
type Snapshot struct {
	Peers     []netbird.Peer
	Users     []netbird.User
	SetupKeys []netbird.SetupKey
	Routes    []netbird.Route
	Routers   []netbird.NetworkRouter
	Policies  []netbird.Policy
	// Routing is the ids of the peers that route (the watch's reading).
	Routing map[string]bool
}

// Record sets the gauges of a snapshot.
func Record(m *metrics.M, s Snapshot, now time.Time) {
	if m == nil {
		return
	}
	if s.Peers != nil {
		peers(m, s)
	}
	if s.Users != nil {
		users(m, s.Users, now)
	}
	if s.SetupKeys != nil {
		keys(m, s.SetupKeys)
	}
	if s.Routes != nil && s.Peers != nil {
		routes(m, s)
	}
	if s.Policies != nil {
		on := map[string]float64{"true": 0, "false": 0}
		for _, p := range s.Policies {
			on[boolText(p.Enabled)]++
		}
		m.Family("netbird_policies", "enabled", on)
	}
}

func peers(m *metrics.M, s Snapshot) {
	var connected, expired, approval, ssh, routing, routingUp float64
	byOS, byVersion, byGroup, byCountry := map[string]float64{}, map[string]float64{}, map[string]float64{}, map[string]float64{}
	// The routing peers one by one (an alert per router): few, and capped.
	routerUp, routerSeen := map[string]float64{}, map[string]float64{}
	for _, p := range s.Peers {
		if p.Connected {
			connected++
		}
		if p.LoginExpired {
			expired++
		}
		if p.ApprovalRequired {
			approval++
		}
		if p.SSHEnabled {
			ssh++
		}
		if s.Routing[p.ID] {
			routing++
			if p.Connected {
				routingUp++
			}
			if len(routerUp) < MaxRoutingPeers {
				name := cmp.Or(p.Name, p.ID)
				routerUp[name] = float64(boolNum(p.Connected))
				if !p.LastSeen.IsZero() {
					routerSeen[name] = float64(p.LastSeen.Unix())
				}
			}
		}
		byOS[osName(p.OS)]++
		byVersion[cmp.Or(p.Version, "unknown")]++
		byCountry[cmp.Or(p.CountryCode, "unknown")]++
		for _, g := range p.Groups {
			byGroup[g.Name]++
		}
	}
	one := func(name string, v float64) { m.Family(name, "", map[string]float64{"": v}) }
	one("netbird_peers", float64(len(s.Peers)))
	one("netbird_peers_connected", connected)
	one("netbird_peers_login_expired", expired)
	one("netbird_peers_approval_required", approval)
	one("netbird_peers_ssh_enabled", ssh)
	one("netbird_routing_peers", routing)
	one("netbird_routing_peers_connected", routingUp)
	m.Family("netbird_routing_peer_connected", "peer", routerUp)
	m.Family("netbird_routing_peer_last_seen_timestamp_seconds", "peer", routerSeen)
	m.Family("netbird_peers_by_os", "os", Bounded(byOS))
	m.Family("netbird_peers_by_version", "version", Bounded(byVersion))
	m.Family("netbird_peers_by_group", "group", Bounded(byGroup))
	m.Family("netbird_peers_by_country", "country", Bounded(byCountry))
}

// osName is the first word of a peer's OS ("Ubuntu 24.04 LTS" → ubuntu,
// "Darwin" → darwin): versions stay out of the label.
func osName(os string) string {
	f := strings.Fields(os)
	if len(f) == 0 {
		return "unknown"
	}
	return strings.ToLower(f[0])
}

// lastLogin are the buckets of a user's last login's age.
var lastLogin = []struct {
	name string
	max  time.Duration
}{{"1d", 24 * time.Hour}, {"7d", 7 * 24 * time.Hour}, {"30d", 30 * 24 * time.Hour}, {"90d", 90 * 24 * time.Hour}}

func users(m *metrics.M, us []netbird.User, now time.Time) {
	byRole := map[string]float64{}
	var blocked, service, pending float64
	age := map[string]float64{"1d": 0, "7d": 0, "30d": 0, "90d": 0, "older": 0, "never": 0}
	for _, u := range us {
		byRole[cmp.Or(u.Role, "unknown")]++
		if u.IsBlocked {
			blocked++
		}
		if u.IsServiceUser {
			service++
			continue // service users do not log in
		}
		if u.PendingApproval {
			pending++
		}
		bucket := "never"
		if !u.LastLogin.IsZero() {
			bucket = "older"
			for _, b := range lastLogin {
				if now.Sub(u.LastLogin) <= b.max {
					bucket = b.name
					break
				}
			}
		}
		age[bucket]++
	}
	m.Family("netbird_users", "", map[string]float64{"": float64(len(us))})
	m.Family("netbird_users_by_role", "role", Bounded(byRole))
	m.Family("netbird_users_blocked", "", map[string]float64{"": blocked})
	m.Family("netbird_users_service", "", map[string]float64{"": service})
	m.Family("netbird_users_pending_approval", "", map[string]float64{"": pending})
	m.Family("netbird_users_by_last_login", "within", age)
}

func keys(m *metrics.M, ks []netbird.SetupKey) {
	state := map[string]float64{"valid": 0, "expired": 0, "revoked": 0, "overused": 0}
	usesLeft := map[string]float64{}
	for _, k := range ks {
		st := k.State
		if st == "" { // older servers: from the flags
			switch {
			case k.Revoked:
				st = "revoked"
			case !k.Valid:
				st = "expired"
			default:
				st = "valid"
			}
		}
		state[st]++
		if k.Type == "reusable" && k.UsageLimit > 0 && k.Valid && !k.Revoked {
			usesLeft[k.Name] = float64(max(0, k.UsageLimit-k.UsedTimes))
		}
	}
	m.Family("netbird_setup_keys", "state", state)
	m.Family("netbird_setup_key_uses_left", "name", fewest(usesLeft))
}

// routes are up when enabled and a routing peer of theirs is connected.
func routes(m *metrics.M, s Snapshot) {
	connected := map[string]bool{}
	groups := map[string][]string{}
	for _, p := range s.Peers {
		connected[p.ID] = p.Connected
		for _, g := range p.Groups {
			groups[g.ID] = append(groups[g.ID], p.ID)
		}
	}
	up := func(peer string, peerGroups []string) bool {
		if peer != "" && connected[peer] {
			return true
		}
		for _, g := range peerGroups {
			for _, p := range groups[g] {
				if connected[p] {
					return true
				}
			}
		}
		return false
	}
	count := func(state map[string]float64, enabled bool, peer string, peerGroups []string) {
		switch {
		case !enabled:
			state["disabled"]++
		case up(peer, peerGroups):
			state["up"]++
		default:
			state["down"]++
		}
	}
	rs := map[string]float64{"up": 0, "down": 0, "disabled": 0}
	for _, r := range s.Routes {
		count(rs, r.Enabled, r.Peer, r.PeerGroups)
	}
	m.Family("netbird_routes", "state", rs)
	if s.Routers != nil {
		nr := map[string]float64{"up": 0, "down": 0, "disabled": 0}
		for _, r := range s.Routers {
			count(nr, r.Enabled, r.Peer, r.PeerGroups)
		}
		m.Family("netbird_network_routers", "state", nr)
	}
}

// Bounded keeps the MaxSeries-1 largest values and sums the rest under
// "other".
func Bounded(values map[string]float64) map[string]float64 {
	return bound(values, func(a, b float64) int { return cmp.Compare(b, a) })
}

// fewest keeps the keys with the fewest uses left: those are the ones to
// see.
func fewest(values map[string]float64) map[string]float64 {
	out := bound(values, func(a, b float64) int { return cmp.Compare(a, b) })
	delete(out, "other") // a sum of uses left of many keys means nothing
	return out
}

func bound(values map[string]float64, order func(a, b float64) int) map[string]float64 {
	if len(values) <= MaxSeries {
		return values
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(order(values[a], values[b]), strings.Compare(a, b)) })
	out := map[string]float64{}
	for i, k := range keys {
		if i < MaxSeries-1 {
			out[k] = values[k]
		} else {
			out["other"] += values[k]
		}
	}
	return out
}

func boolNum(b bool) int {
	if b {
		return 1
	}
	return 0
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
