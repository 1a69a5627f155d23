package mirror

import (
	"fmt"
	"strings"
	"time"
)

// setupKeys: matched by name. A key the target lacks is created with the
// source's settings, its expiry included, and a new secret (a key's secret
// cannot be copied); one the target has gets the source's auto groups and
// revocation, the only fields NetBird changes in place. A key whose type,
// ephemeral flag, usage limit, extra DNS labels or expiry differ is
// replaced (deleted and created: a new secret), which the plan says. An
// expired source key is left alone; a key revoked on the target cannot be
// un-revoked (the server refuses), which is reported.
var setupKeys = &section{name: "setup-keys", kind: "setup-key", path: "/setup-keys",
	desired: func(p *planner, src, dst obj) (obj, []string, hold) {
		var groups []string
		for _, g := range list(src["auto_groups"]) {
			id, why := p.mapGroup(str(g))
			if why != "" {
				return nil, nil, hold{reason: why}
			}
			groups = append(groups, id)
		}
		revoked := src["revoked"] == true
		if dst != nil && dst["revoked"] == true && !revoked {
			return nil, nil, hold{reason: "revoked on the target (a revoked key cannot be un-revoked)"}
		}
		if dst == nil && revoked {
			return nil, nil, hold{reason: "revoked on the source: not created", expected: true}
		}
		srcExp, srcExpires := expiry(src)
		expiresIn := 0
		if srcExpires {
			left := srcExp.Sub(p.o.Now)
			if left <= 0 && dst == nil {
				return nil, nil, hold{reason: "expired on the source: not created", expected: true}
			}
			expiresIn = max(1, int(left.Seconds())) // NetBird takes any expiry ahead (v0.77.1)
		}
		create := obj{"name": src["name"], "type": src["type"], "expires_in": expiresIn, "auto_groups": sortedStrings(groups),
			"usage_limit": src["usage_limit"], "ephemeral": src["ephemeral"] == true, "allow_extra_dns_labels": src["allow_extra_dns_labels"] == true}
		if dst == nil {
			return create, nil, hold{}
		}
		if fixed := fixedKeyFields(src, dst, p.o.Now); fixed != "" && !revoked {
			return create, nil, hold{replace: fixed}
		}
		return obj{"auto_groups": sortedStrings(groups), "revoked": revoked}, []string{"auto_groups", "revoked"}, hold{}
	},
	current: func(_ *planner, dst obj) obj {
		var groups []string
		for _, g := range list(dst["auto_groups"]) {
			groups = append(groups, str(g))
		}
		return obj{"auto_groups": sortedStrings(groups), "revoked": dst["revoked"] == true}
	}}

// expiry is when a key expires; false for a key that never does (the zero
// time).
func expiry(k obj) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, str(k["expires"]))
	return t, err == nil && t.Year() > 1
}

// expirySlack is how far apart two expiries may be and still be the same:
// a target key is created a little after the source's expiry was read.
const expirySlack = 5 * time.Minute

// fixedKeyFields are the differences NetBird cannot change in place, as
// "field: before → after" (empty when none). An expired source key's
// expiry is not compared: it is not renewed.
func fixedKeyFields(src, dst obj, now time.Time) string {
	var diffs []string
	for _, k := range []string{"type", "ephemeral", "usage_limit", "allow_extra_dns_labels"} {
		a, b := src[k], dst[k]
		if k == "ephemeral" || k == "allow_extra_dns_labels" {
			a, b = a == true, b == true
		}
		if canon(a) != canon(b) {
			diffs = append(diffs, fmt.Sprintf("%s %s → %s", k, canon(b), canon(a)))
		}
	}
	se, sOK := expiry(src)
	de, dOK := expiry(dst)
	if sOK && se.Before(now) {
		return strings.Join(diffs, ", ")
	}
	switch {
	case sOK != dOK:
		diffs = append(diffs, fmt.Sprintf("expires %s → %s", expiresText(de, dOK), expiresText(se, sOK)))
	case sOK && (de.Sub(se) > expirySlack || se.Sub(de) > expirySlack):
		diffs = append(diffs, fmt.Sprintf("expires %s → %s", expiresText(de, dOK), expiresText(se, sOK)))
	}
	return strings.Join(diffs, ", ")
}

func expiresText(t time.Time, ok bool) string {
	if !ok {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// peers: matched by name, never created (a machine enrols itself) and
// never deleted; the settings an admin sets on a peer follow the source.
// NetBird changes the login and inactivity expiration only of a peer that
// was enrolled by a user's login (SSO), not with a setup key (412): for such
// a target peer they stay as they are, and the plan says so.
var peers = &section{name: "peers", kind: "peer", path: "/peers",
	desired: func(_ *planner, src, dst obj) (obj, []string, hold) {
		if dst == nil {
			return nil, nil, hold{reason: "not enrolled on target", waiting: true}
		}
		keys := []string{"ssh_enabled", "login_expiration_enabled", "inactivity_expiration_enabled"}
		body := obj{"name": dst["name"]}
		for _, k := range keys {
			body[k] = src[k] == true
		}
		var h hold
		if str(dst["user_id"]) == "" {
			var kept []string
			for _, k := range keys[1:] {
				if body[k] != (dst[k] == true) {
					body[k] = dst[k] == true
					kept = append(kept, fmt.Sprintf("%s stays %v", k, dst[k] == true))
				}
			}
			if kept != nil {
				h.partial = strings.Join(kept, ", ") + ": the target's peer was enrolled with a setup key, and NetBird changes this only for a peer enrolled by a user's login"
			}
		}
		return body, keys, h
	},
	current: func(_ *planner, dst obj) obj {
		return obj{"ssh_enabled": dst["ssh_enabled"] == true, "login_expiration_enabled": dst["login_expiration_enabled"] == true,
			"inactivity_expiration_enabled": dst["inactivity_expiration_enabled"] == true}
	}}
