package mirror

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sort"
)

// users: people matched by e-mail, service users by name. A person the
// target lacks appears there when they first sign in (or is invited with
// --create-users); a service user is created only with --create-users.
// The target's owner stays owner: a role is never raised to owner.
var users = &section{name: "users", kind: "user", path: "/users",
	key: func(_ *side, o obj) string {
		if o["is_service_user"] == true {
			return "service user " + str(o["name"])
		}
		return str(o["email"])
	},
	desired: func(p *planner, src, dst obj) (obj, []string, hold) {
		groups, h := mapAll(anyList(src["auto_groups"]), p.mapGroup)
		if h.reason != "" {
			return nil, nil, h
		}
		role := str(src["role"])
		if dst != nil {
			if str(dst["role"]) == "owner" || role == "owner" {
				role = str(dst["role"])
			}
			return obj{"role": role, "auto_groups": groups, "is_blocked": src["is_blocked"] == true}, []string{"role", "auto_groups", "is_blocked"}, hold{}
		}
		service := src["is_service_user"] == true
		if !p.o.CreateUsers {
			// Waiting for the operator, not a failure: a scheduled run
			// says so and stays OK.
			if service {
				return nil, nil, hold{reason: "not on target (--create-users or MIRROR_CREATE_USERS=true creates it)", waiting: true}
			}
			return nil, nil, hold{reason: "has not signed in on target yet (--create-users or MIRROR_CREATE_USERS=true invites them)", waiting: true}
		}
		if role == "owner" {
			role = "admin"
		}
		body := obj{"name": src["name"], "role": role, "auto_groups": groups, "is_service_user": service}
		if !service {
			body["email"] = src["email"]
		}
		return body, nil, hold{}
	},
	current: func(_ *planner, dst obj) obj {
		return obj{"role": str(dst["role"]), "auto_groups": sortedStrings(refIDs(dst["auto_groups"])), "is_blocked": dst["is_blocked"] == true}
	}}

func anyList(v any) []any { return list(v) }

// groupSettings are the account settings that name groups: remapped.
var groupSettings = []string{"ipv6_enabled_groups", "peer_expose_groups", "network_traffic_logs_groups"}

// account: every setting of the source account that the target's account
// also has, the group-valued ones remapped; one PUT of the settings.
var account = &section{name: "account", kind: "account",
	upsert: func(ctx context.Context, p *planner) error {
		src, dst := first(p.src.lists["/accounts"]), first(p.dst.lists["/accounts"])
		if src == nil || dst == nil {
			p.counts.Skipped++
			p.counts.Unresolved = append(p.counts.Unresolved, "account: not readable on both sides")
			p.note(Change{Op: "skip", Section: "account", Name: "settings", Reason: "not readable on both sides"}, nil, nil, nil)
			return nil
		}
		have, _ := dst["settings"].(obj)
		want, diff, why := settingsFor(p, src["settings"], have, "")
		if why != "" {
			p.counts.Skipped++
			p.counts.Unresolved = append(p.counts.Unresolved, "account: "+why)
			p.note(Change{Op: "skip", Section: "account", Name: "settings", Reason: why}, nil, nil, nil)
			return nil
		}
		if len(diff) == 0 {
			if p.o.Verbose {
				p.note(Change{Op: "same", Section: "account", Name: "settings"}, nil, nil, nil)
			}
			return nil
		}
		if p.o.Apply {
			if _, err := p.write(ctx, http.MethodPut, "/accounts/"+url.PathEscape(str(dst["id"])), obj{"settings": want}); err != nil {
				p.failed("account", "settings", "update", err, diff, flatten(have), flatten(want))
				return nil
			}
			if err := p.dst.reload(ctx, p.dstW, "/accounts"); err != nil {
				return err
			}
		}
		p.counts.Updated++
		p.note(Change{Op: "update", Section: "account", Name: "settings"}, diff, flatten(have), flatten(want))
		return nil
	}}

// settingOn: the address ranges and the DNS domain belong to the
// "addresses" section, every other setting to "account".
func (p *planner) settingOn(key string) bool {
	if slices.Contains(addressSettings, key) {
		return slices.Contains(p.o.Sections, "addresses")
	}
	return slices.Contains(p.o.Sections, "account")
}

// settingsFor is the target's settings with the source's values for the
// keys both have (nested objects key by key), and the keys that differ.
func settingsFor(p *planner, srcV any, have obj, prefix string) (obj, []string, string) {
	src, _ := srcV.(obj)
	want := obj{}
	for k, v := range have {
		want[k] = v
	}
	var diff []string
	keys := make([]string, 0, len(src))
	for k := range src {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		cur, ok := have[k]
		if !ok {
			continue
		}
		if prefix == "" && !p.settingOn(k) {
			continue
		}
		v := src[k]
		if sub, isObj := v.(obj); isObj {
			curObj, _ := cur.(obj)
			nested, d, why := settingsFor(p, sub, curObj, prefix+k+".")
			if why != "" {
				return nil, nil, why
			}
			want[k], diff = nested, append(diff, d...)
			continue
		}
		if slices.Contains(groupSettings, k) && v != nil {
			mapped, h := mapAll(list(v), p.mapGroup)
			if h.reason != "" {
				return nil, nil, k + ": " + h.reason
			}
			v = anyStrings(mapped)
			if canon(mapped) == canon(sortedStrings(refIDs(cur))) {
				continue
			}
		} else if canon(v) == canon(cur) {
			continue
		}
		want[k] = v
		diff = append(diff, prefix+k)
	}
	return want, diff, ""
}

func first(l []obj) obj {
	if len(l) == 0 {
		return nil
	}
	return l[0]
}

// flatten names nested settings by path (extra.peer_approval_enabled), as
// the changed keys are named.
func flatten(o obj) obj {
	out := obj{}
	for k, v := range o {
		if sub, ok := v.(obj); ok {
			for sk, sv := range flatten(sub) {
				out[k+"."+sk] = sv
			}
			continue
		}
		out[k] = v
	}
	return out
}
