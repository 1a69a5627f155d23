package mirror

import (
	"fmt"
	"strings"
	"time"
)

// setupKeys: matched by name. A key the target lacks is created with the
// source's settings and a new secret (a key's secret cannot be copied);
// one the target has gets the source's auto groups and revocation. An
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
		if dst != nil {
			if dst["revoked"] == true && !revoked {
				return nil, nil, hold{reason: "revoked on the target (a revoked key cannot be un-revoked)"}
			}
			return obj{"auto_groups": sortedStrings(groups), "revoked": revoked}, []string{"auto_groups", "revoked"}, hold{}
		}
		if revoked {
			return nil, nil, hold{reason: "revoked on the source: not created", expected: true}
		}
		expiresIn := 0
		if exp, err := time.Parse(time.RFC3339Nano, str(src["expires"])); err == nil && exp.Year() > 1 {
			left := exp.Sub(p.o.Now)
			if left <= 0 {
				return nil, nil, hold{reason: "expired on the source: not created", expected: true}
			}
			expiresIn = max(86400, int(left.Seconds()))
		}
		return obj{"name": src["name"], "type": src["type"], "expires_in": expiresIn, "auto_groups": sortedStrings(groups),
			"usage_limit": src["usage_limit"], "ephemeral": src["ephemeral"] == true, "allow_extra_dns_labels": src["allow_extra_dns_labels"] == true}, nil, hold{}
	},
	current: func(_ *planner, dst obj) obj {
		var groups []string
		for _, g := range list(dst["auto_groups"]) {
			groups = append(groups, str(g))
		}
		return obj{"auto_groups": sortedStrings(groups), "revoked": dst["revoked"] == true}
	}}

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
