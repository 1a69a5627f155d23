// Package configdoc writes a NetBird account's configuration as one
// document keyed by names (`birdseye export --by-name`): ids replaced by
// the names they point to, what the server makes (ids, timestamps,
// counters, peer addresses, secrets) left out, every list in a stable
// order, so two exports of an unchanged account are byte-identical and a
// change reads as a diff. Setup-key secrets and tokens are never read.
package configdoc

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// API is what the export reads: GET requests only.
type API interface {
	GetRaw(ctx context.Context, path string) (json.RawMessage, error)
}

type obj = map[string]any

// Doc is the document. Its sections keep this order in YAML and JSON.
type Doc struct {
	Format        int              `json:"birdseye_config" yaml:"birdseye_config"`
	Settings      obj              `json:"settings" yaml:"settings"`
	Groups        []obj            `json:"groups" yaml:"groups"`
	Peers         []obj            `json:"peers" yaml:"peers"`
	Users         []obj            `json:"users" yaml:"users"`
	PostureChecks []obj            `json:"posture_checks" yaml:"posture_checks"`
	Policies      []obj            `json:"policies" yaml:"policies"`
	Networks      []obj            `json:"networks" yaml:"networks"`
	Routes        []obj            `json:"routes" yaml:"routes"`
	SetupKeys     []obj            `json:"setup_keys" yaml:"setup_keys"`
	Nameservers   []obj            `json:"nameservers" yaml:"nameservers"`
	DNS           obj              `json:"dns_settings" yaml:"dns_settings"`
	names         map[string]names // by kind: id → name, for the references
}

// FormatVersion is the document's format; a reader refuses a newer one.
const FormatVersion = 1

type names map[string]string

// Kinds of what a reference names.
const (
	kGroup    = "group"
	kPeer     = "peer"
	kPosture  = "posture check"
	kResource = "resource"
	kUser     = "user"
)

// Read reads the account and builds its document.
func Read(ctx context.Context, api API) (*Doc, error) {
	get := func(path string) ([]obj, error) {
		raw, err := api.GetRaw(ctx, path)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		var l []obj
		if err := json.Unmarshal(raw, &l); err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		return l, nil
	}
	d := &Doc{Format: FormatVersion, names: map[string]names{}}
	lists := map[string][]obj{}
	for _, p := range []string{"/groups", "/peers", "/users", "/posture-checks", "/policies", "/networks", "/routes", "/setup-keys", "/dns/nameservers", "/accounts"} {
		l, err := get(p)
		if err != nil {
			return nil, err
		}
		lists[p] = l
	}
	var resources, routers = map[string][]obj{}, map[string][]obj{}
	for _, n := range lists["/networks"] {
		base := "/networks/" + url.PathEscape(str(n["id"]))
		var err error
		if resources[str(n["id"])], err = get(base + "/resources"); err != nil {
			return nil, err
		}
		if routers[str(n["id"])], err = get(base + "/routers"); err != nil {
			return nil, err
		}
	}
	raw, err := api.GetRaw(ctx, "/dns/settings")
	if err != nil {
		return nil, fmt.Errorf("read /dns/settings: %w", err)
	}
	if err := json.Unmarshal(raw, &d.DNS); err != nil {
		return nil, fmt.Errorf("read /dns/settings: %w", err)
	}

	d.index(kGroup, lists["/groups"], "name")
	d.index(kPeer, lists["/peers"], "name")
	d.index(kPosture, lists["/posture-checks"], "name")
	d.index(kUser, lists["/users"], "")
	var allResources []obj
	for _, l := range resources {
		allResources = append(allResources, l...)
	}
	d.index(kResource, allResources, "name")

	if len(lists["/accounts"]) > 0 {
		d.Settings, _ = lists["/accounts"][0]["settings"].(obj)
		d.ref(d.Settings, "ipv6_enabled_groups", kGroup)
		d.ref(d.Settings, "peer_expose_groups", kGroup)
		if extra, ok := d.Settings["extra"].(obj); ok {
			d.ref(extra, "network_traffic_logs_groups", kGroup)
		}
	}
	d.Groups = d.section(lists["/groups"], []string{"id", "issued", "peers_count", "resources_count"}, func(o obj) {
		d.ref(o, "peers", kPeer)
		d.ref(o, "resources", kResource)
	})
	d.Peers = d.peers(lists["/peers"])
	d.Users = d.section(lists["/users"], []string{"id", "idp_id", "is_current", "issued", "last_login", "status", "permissions", "pending_approval"}, func(o obj) {
		d.ref(o, "auto_groups", kGroup)
	})
	d.PostureChecks = d.section(lists["/posture-checks"], []string{"id"}, nil)
	d.Policies = d.section(lists["/policies"], []string{"id"}, func(o obj) {
		d.ref(o, "source_posture_checks", kPosture)
		for _, r := range objs(o["rules"]) {
			delete(r, "id")
			d.ref(r, "sources", kGroup)
			d.ref(r, "destinations", kGroup)
			d.resourceRef(r, "sourceResource")
			d.resourceRef(r, "destinationResource")
			if ag, ok := r["authorized_groups"].(obj); ok {
				byName := obj{}
				for id, v := range ag {
					byName[d.name(kGroup, id)] = v
				}
				r["authorized_groups"] = byName
			}
		}
	})
	// A network's lists of ids become its resources and routers in full;
	// its policies are the policies' (they name its resources).
	d.Networks = d.section(lists["/networks"], []string{"policies", "routing_peers_count"}, func(o obj) {
		id := str(o["id"])
		delete(o, "id")
		o["resources"] = d.section(resources[id], []string{"id"}, func(r obj) { d.ref(r, "groups", kGroup) })
		o["routers"] = d.sorted(d.section(routers[id], []string{"id"}, func(r obj) {
			d.ref(r, "peer", kPeer)
			d.ref(r, "peer_groups", kGroup)
		}), func(r obj) string { return str(r["peer"]) + "|" + strings.Join(strs(r["peer_groups"]), ",") })
	})
	d.Routes = d.sorted(d.section(lists["/routes"], []string{"id"}, func(o obj) {
		d.ref(o, "peer", kPeer)
		for _, k := range []string{"peer_groups", "groups", "access_control_groups"} {
			d.ref(o, k, kGroup)
		}
	}), func(o obj) string { return str(o["network_id"]) + "|" + str(o["network"]) + str(o["domains"]) })
	// A setup key's secret, use and validity are the server's; its expiry
	// is kept: it is what the key was made with, and the mirror makes the
	// key again with the time left.
	d.SetupKeys = d.section(lists["/setup-keys"], []string{"id", "key", "last_used", "state", "updated_at", "used_times", "valid"}, func(o obj) {
		d.ref(o, "auto_groups", kGroup)
		// To the minute: a key made again from the document (on another
		// server, seconds later) reads back the same.
		if t, err := time.Parse(time.RFC3339Nano, str(o["expires"])); err == nil && t.Year() > 1 {
			o["expires"] = t.UTC().Round(time.Minute).Format(time.RFC3339)
		}
	})
	d.Nameservers = d.section(lists["/dns/nameservers"], []string{"id"}, func(o obj) { d.ref(o, "groups", kGroup) })
	d.ref(d.DNS, "disabled_management_groups", kGroup)
	return d, nil
}

// index keeps every object's name by id; users by email, or name for a
// service user.
func (d *Doc) index(kind string, l []obj, key string) {
	m := names{}
	for _, o := range l {
		name := str(o[key])
		if kind == kUser {
			name = userKey(o)
		}
		m[str(o["id"])] = name
	}
	d.names[kind] = m
}

func userKey(o obj) string {
	if b, _ := o["is_service_user"].(bool); b || str(o["email"]) == "" {
		return str(o["name"])
	}
	return str(o["email"])
}

// name is the name of the object id points to, or "?<id>" for one the
// account does not have (a dangling reference stays visible).
func (d *Doc) name(kind, id string) string {
	if n, ok := d.names[kind][id]; ok {
		return n
	}
	return "?" + id
}

// listRefs are the references that are lists: empty, they are written as
// [] whether the server said null or [] (it says either for the same
// thing, depending on how the object was made). A rule's sources and
// destinations are not: null there means "a resource instead", and the
// server refuses both.
var listRefs = map[string]bool{"peers": true, "resources": true, "auto_groups": true, "source_posture_checks": true,
	"groups": true, "peer_groups": true, "access_control_groups": true,
	"disabled_management_groups": true, "ipv6_enabled_groups": true, "peer_expose_groups": true, "network_traffic_logs_groups": true}

// ref replaces the ids under key (an id, a list of ids, an object with an
// id, or a list of such objects) by names, sorted where it is a list.
func (d *Doc) ref(o obj, key, kind string) {
	v, ok := o[key]
	if !ok {
		return
	}
	if v == nil {
		if listRefs[key] {
			o[key] = []any{} // the server says null or [] for the same empty list
		}
		return
	}
	one := func(x any) string {
		if m, ok := x.(obj); ok {
			return d.name(kind, str(m["id"]))
		}
		return d.name(kind, str(x))
	}
	switch x := v.(type) {
	case []any:
		out := make([]any, 0, len(x))
		var ns []string
		for _, e := range x {
			ns = append(ns, one(e))
		}
		slices.Sort(ns)
		for _, n := range ns {
			out = append(out, n)
		}
		o[key] = out
	case string:
		if x != "" {
			o[key] = one(x)
		}
	default:
		o[key] = one(x)
	}
}

// resourceRef names a rule's resource, which is a network resource or a
// peer (type "peer"); the type stays, so the name is read back in the
// right list.
func (d *Doc) resourceRef(o obj, key string) {
	m, ok := o[key].(obj)
	if !ok {
		return
	}
	kind := kResource
	if str(m["type"]) == "peer" {
		kind = kPeer
	}
	o[key] = obj{"name": d.name(kind, str(m["id"])), "type": m["type"]}
}

// section drops the server's fields and applies fn to each object, then
// orders the list by name (objects of the same name keep the server's
// order, which is the mirror's order for them too).
func (d *Doc) section(l []obj, drop []string, fn func(obj)) []obj {
	out := make([]obj, 0, len(l))
	for _, o := range l {
		if fn != nil {
			fn(o)
		}
		for _, k := range drop {
			delete(o, k)
		}
		out = append(out, o)
	}
	return d.sorted(out, func(o obj) string { return cmp.Or(str(o["name"]), str(o["email"])) })
}

func (d *Doc) sorted(l []obj, key func(obj) string) []obj {
	slices.SortStableFunc(l, func(a, b obj) int { return strings.Compare(key(a), key(b)) })
	return l
}

// peers keeps what of a peer is set, not observed: its name and its
// switches. Its groups are in the groups' lists.
func (d *Doc) peers(l []obj) []obj {
	var out []obj
	for _, p := range l {
		o := obj{"name": p["name"]}
		for _, k := range []string{"ssh_enabled", "login_expiration_enabled", "inactivity_expiration_enabled", "approval_required"} {
			if v, ok := p[k]; ok {
				o[k] = v
			}
		}
		out = append(out, o)
	}
	return d.sorted(out, func(o obj) string { return str(o["name"]) })
}

func objs(v any) []obj {
	l, _ := v.([]any)
	out := make([]obj, 0, len(l))
	for _, x := range l {
		if m, ok := x.(obj); ok {
			out = append(out, m)
		}
	}
	return out
}

func strs(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		out = append(out, str(x))
	}
	return out
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, _ := json.Marshal(v)
	return string(b)
}
