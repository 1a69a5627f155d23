package watch

import (
	"fmt"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird"
)

// The expiry radar's codes, beside the watch's setup-key, login and token
// warnings.
const (
	CodeInviteExpiring     = "birdseye.invite.expiring"
	CodeProxyTokenExpiring = "birdseye.proxytoken.expiring"
	CodeKeyUsesSpent       = "birdseye.setupkey.uses_nearly_spent"
)

// Where each kind is renewed in NetBird's dashboard, and how: an alert
// says who owns the thing and what to do, not only that it expires.
var renew = map[string]string{
	CodeKeyExpiring:        "Setup Keys (/setup-keys): create a new key with the same groups and hand it out; an expiry cannot be extended",
	CodeKeyUsesSpent:       "Setup Keys (/setup-keys): create a new key, or a new one with a higher usage limit",
	CodeTokenExpiring:      "Team → Users (/team/users), or Service Users for a service user: open the user, create a new access token, replace it where it is used",
	CodeLoginExpiring:      "the peer's user logs in again (netbird up, or Connect in the client); Settings → Authentication sets the login expiration",
	CodeInviteExpiring:     "Team → Users (/team/users): regenerate the invite link and send it again",
	CodeProxyTokenExpiring: "Reverse Proxy → Self-Hosted Proxies (/reverse-proxy/self-hosted-proxies): create a new proxy token and give it to the proxy (NB_PROXY_TOKEN)",
}

// usesLeftWarn is how few uses of a reusable key are left when it is
// warned about: a tenth of its limit, at least one.
func usesLeftWarn(limit int) int { return max(1, limit/10) }

// radar adds the expiry radar's warnings to a round: invites and proxy
// tokens within the lead time, reusable setup keys whose uses are nearly
// spent. Owners come from the audit log (State.Owners).
func (st *State) radar(r Rules, obs Observation, now time.Time) []event.Event {
	var out []event.Event
	if obs.Invites != nil {
		ids := map[string]bool{}
		for _, inv := range obs.Invites {
			ids["invite|"+inv.ID] = true
			if inv.Expired || inv.ExpiresAt.IsZero() {
				continue
			}
			// An invite lives 72 hours by default: only the warnings shorter
			// than its life are given (the day before).
			life := inv.ExpiresAt.Sub(inv.CreatedAt)
			out = append(out, st.expiry(r, "invite|"+inv.ID, inv.ExpiresAt, life, now, func(left time.Duration) event.Event {
				return inviteExpiring(inv, st.Owners["invite|"+inv.ID], left, now)
			})...)
		}
		st.forget("invite|", ids)
	}
	for _, tok := range obs.ProxyTokens {
		if tok.Revoked || tok.ExpiresAt.IsZero() {
			continue
		}
		out = append(out, st.expiry(r, "proxytoken|"+tok.ID, tok.ExpiresAt, tok.ExpiresAt.Sub(tok.CreatedAt), now, func(left time.Duration) event.Event {
			return proxyTokenExpiring(tok, left, now)
		})...)
	}
	if obs.SetupKeys != nil {
		ids := map[string]bool{}
		for _, k := range obs.SetupKeys {
			ids["setupkey|"+k.ID] = true
			left := k.UsageLimit - k.UsedTimes
			if k.Revoked || !k.Valid || k.Type != "reusable" || k.UsageLimit <= 0 || left > usesLeftWarn(k.UsageLimit) {
				delete(st.Spent, k.ID)
				continue
			}
			if st.Spent[k.ID] == k.UsageLimit {
				continue // told for this limit; a raised limit is new again
			}
			st.Spent[k.ID] = k.UsageLimit
			out = append(out, keyUsesSpent(k, st.Owners["setupkey|"+k.ID], now))
		}
		st.forget("setupkey|", ids)
		for id := range st.Spent {
			if !ids["setupkey|"+id] {
				delete(st.Spent, id)
			}
		}
	}
	return out
}

// forget drops the owners of the objects of a kind that are gone.
func (st *State) forget(prefix string, present map[string]bool) {
	for k := range st.Owners {
		if strings.HasPrefix(k, prefix) && !present[k] {
			delete(st.Owners, k)
		}
	}
}

// ownerOf is who an audit event says made an object the radar warns
// about, keyed as State.Owners keys it ("" when it made none).
func ownerOf(e event.Event) (key, who string) {
	switch e.ActivityCode {
	case "setupkey.add":
		key = "setupkey|" + e.TargetID
	case "user.invite.link.create", "user.invite.link.regenerate":
		key = "invite|" + e.TargetID
	default:
		return "", ""
	}
	if e.TargetID == "" {
		return "", ""
	}
	return key, e.Initiator()
}

func owner(who string) string {
	if who == "" {
		return "not known (not in the audit log birdseye read)"
	}
	return who
}

func inviteExpiring(inv netbird.Invite, by string, left time.Duration, now time.Time) event.Event {
	return synthetic(CodeInviteExpiring, fmt.Sprintf("%s|%s|%d", CodeInviteExpiring, inv.ID, inv.ExpiresAt.Unix()),
		"Invite expires in "+span(left), inv.ID, now, "email", inv.Email, "name", inv.Name, "role", inv.Role,
		"invited_by", owner(by), "expires", inv.ExpiresAt.UTC().Format(timeLayout), "renew", renew[CodeInviteExpiring])
}

func proxyTokenExpiring(tok netbird.ProxyToken, left time.Duration, now time.Time) event.Event {
	return synthetic(CodeProxyTokenExpiring, fmt.Sprintf("%s|%s|%d|%d", CodeProxyTokenExpiring, tok.ID, tok.ExpiresAt.Unix(), int(left.Hours()/24)),
		"Proxy token expires in "+span(left), tok.ID, now, "name", tok.Name, "expires", tok.ExpiresAt.UTC().Format(timeLayout),
		"renew", renew[CodeProxyTokenExpiring])
}

func keyUsesSpent(k netbird.SetupKey, by string, now time.Time) event.Event {
	left := max(0, k.UsageLimit-k.UsedTimes)
	return synthetic(CodeKeyUsesSpent, fmt.Sprintf("%s|%s|%d", CodeKeyUsesSpent, k.ID, k.UsageLimit),
		fmt.Sprintf("Setup key has %d of %d uses left", left, k.UsageLimit), k.ID, now, "name", k.Name,
		"used_times", fmt.Sprint(k.UsedTimes), "usage_limit", fmt.Sprint(k.UsageLimit), "created_by", owner(by), "renew", renew[CodeKeyUsesSpent])
}
