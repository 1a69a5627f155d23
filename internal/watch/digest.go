package watch

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/event"
)

// CodeDigest is WATCH_DIGEST's morning message: everything that expires
// within the lead time, in one event instead of one alert each.
const CodeDigest = "birdseye.expiry.digest"

// Digested are the codes the digest replaces; the other watch events (a
// peer down, an approval waiting) still go out at once.
var Digested = []string{CodeKeyExpiring, CodeLoginExpiring, CodeTokenExpiring, CodeInviteExpiring, CodeProxyTokenExpiring, CodeKeyUsesSpent}

// Schedule is when the digest goes out (a cron schedule in the local time
// zone); *cron.Schedule is one.
type Schedule interface{ Next(time.Time) time.Time }

// place is where each kind is renewed, in short, for the digest's lines.
var place = map[string]string{
	CodeKeyExpiring: "/setup-keys", CodeKeyUsesSpent: "/setup-keys", CodeTokenExpiring: "/team/users",
	CodeLoginExpiring: "the peer's user logs in again", CodeInviteExpiring: "/team/users",
	CodeProxyTokenExpiring: "/reverse-proxy/self-hosted-proxies",
}

type item struct {
	code, kind, name, owner string
	left                    time.Duration
	expires                 time.Time
	text                    string // for what does not expire by date (uses left)
}

// due is whether an expiry would be warned about now: within a lead time
// shorter than its validity (as State.expiry decides).
func (r Rules) due(left, validity time.Duration) bool {
	if left <= 0 {
		return false
	}
	for _, t := range r.thresholds() {
		if left <= t && (validity == 0 || t < validity) {
			return true
		}
	}
	return false
}

// digest lists what expires within the lead time now, soonest first, as
// one event; none when nothing does.
func digest(r Rules, st *State, obs Observation, now time.Time) []event.Event {
	return digestEvent(r, expiring(r, st, obs, now), now)
}

// kinds are the kinds of what expires, as the digest and the metric name them.
var kinds = []string{"setup key", "access token", "peer login", "invite", "proxy token"}

// ExpiringSoon counts what expires within the lead time now, by kind
// (netbird_expiring_soon{kind}); a reusable key's nearly spent uses count
// as its kind.
func ExpiringSoon(r Rules, st *State, obs Observation, now time.Time) map[string]float64 {
	out := map[string]float64{}
	for _, k := range kinds {
		out[strings.ReplaceAll(k, " ", "_")] = 0
	}
	for _, it := range expiring(r, st, obs, now) {
		out[strings.ReplaceAll(it.kind, " ", "_")]++
	}
	return out
}

// expiring is what expires within the lead time now, soonest first.
func expiring(r Rules, st *State, obs Observation, now time.Time) []item {
	var items []item
	userName := map[string]string{}
	for _, u := range obs.Users {
		userName[u.ID] = cmp.Or(u.Name, u.Email)
	}
	for _, k := range obs.SetupKeys {
		if k.Revoked || !k.Valid {
			continue
		}
		if !k.Expires.IsZero() && r.due(k.Expires.Sub(now), 0) {
			items = append(items, item{code: CodeKeyExpiring, kind: "setup key", name: k.Name, owner: st.Owners["setupkey|"+k.ID], left: k.Expires.Sub(now), expires: k.Expires})
		}
		if left := k.UsageLimit - k.UsedTimes; k.Type == "reusable" && k.UsageLimit > 0 && left <= usesLeftWarn(k.UsageLimit) {
			items = append(items, item{code: CodeKeyUsesSpent, kind: "setup key", name: k.Name, owner: st.Owners["setupkey|"+k.ID],
				left: k.Expires.Sub(now), text: fmt.Sprintf("%d of %d uses left", max(0, left), k.UsageLimit)})
		}
	}
	for _, u := range obs.Users {
		for _, tok := range obs.Tokens[u.ID] {
			if !tok.ExpirationDate.IsZero() && r.due(tok.ExpirationDate.Sub(now), 0) {
				items = append(items, item{code: CodeTokenExpiring, kind: "access token", name: tok.Name, owner: cmp.Or(u.Name, u.Email), left: tok.ExpirationDate.Sub(now), expires: tok.ExpirationDate})
			}
		}
	}
	if s := obs.Settings; s.PeerLoginExpirationEnabled && s.PeerLoginExpiration > 0 {
		period := time.Duration(s.PeerLoginExpiration) * time.Second
		for _, p := range obs.Peers {
			if expires := p.LastLogin.Add(period); p.LoginExpirationEnabled && !p.LastLogin.IsZero() && r.due(expires.Sub(now), period) {
				items = append(items, item{code: CodeLoginExpiring, kind: "peer login", name: p.Name, owner: userName[p.UserID], left: expires.Sub(now), expires: expires})
			}
		}
	}
	for _, inv := range obs.Invites {
		if !inv.Expired && r.due(inv.ExpiresAt.Sub(now), inv.ExpiresAt.Sub(inv.CreatedAt)) {
			items = append(items, item{code: CodeInviteExpiring, kind: "invite", name: inv.Email, owner: st.Owners["invite|"+inv.ID], left: inv.ExpiresAt.Sub(now), expires: inv.ExpiresAt})
		}
	}
	for _, tok := range obs.ProxyTokens {
		if !tok.Revoked && !tok.ExpiresAt.IsZero() && r.due(tok.ExpiresAt.Sub(now), tok.ExpiresAt.Sub(tok.CreatedAt)) {
			items = append(items, item{code: CodeProxyTokenExpiring, kind: "proxy token", name: tok.Name, left: tok.ExpiresAt.Sub(now), expires: tok.ExpiresAt})
		}
	}
	slices.SortStableFunc(items, func(a, b item) int {
		switch {
		case a.expires.IsZero() != b.expires.IsZero():
			if a.expires.IsZero() {
				return 1 // uses left: after the dated ones
			}
			return -1
		case !a.expires.Equal(b.expires):
			return a.expires.Compare(b.expires)
		}
		return strings.Compare(a.kind+a.name, b.kind+b.name)
	})
	return items
}

func digestEvent(r Rules, items []item, now time.Time) []event.Event {
	if len(items) == 0 {
		return nil
	}
	var meta []string
	per := map[string]int{}
	for _, it := range items {
		per[it.kind]++
		what := it.text
		if what == "" {
			what = "expires in " + span(it.left) + " (" + it.expires.UTC().Format(timeLayout) + ")"
		}
		if it.owner != "" {
			what += "; owner " + it.owner
		}
		meta = append(meta, it.kind+": "+it.name, what+"; renew: "+place[it.code])
	}
	title := fmt.Sprintf("%d expiring within %d days", len(items), r.ExpiryDays)
	var count []string
	for _, k := range kinds {
		if n := per[k]; n > 0 {
			count = append(count, plural(n, k))
		}
	}
	title += ": " + strings.Join(count, ", ")
	e := synthetic(CodeDigest, CodeDigest+"|"+now.UTC().Format(time.RFC3339), title, "digest", now, meta...)
	return []event.Event{e}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
