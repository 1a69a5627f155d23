package configdoc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Source answers the mirror's reads from a document, as the API would:
// every object gets an id made of its kind and name ("g:Ops"), and every
// reference by name becomes that id again, so the mirror matches and
// remaps as it does between two servers. It has no way to write.
type Source struct {
	d    *Doc
	name string // where the document came from, for messages
}

// Source is the document as the mirror's source.
func (d *Doc) Source(name string) *Source { return &Source{d: d, name: name} }

// BaseURL names the file (the mirror's same-host check never matches it).
func (s *Source) BaseURL() string { return "file:" + s.name }

func id(kind, name string) string { return kind + ":" + name }

// GetRaw answers the paths the mirror reads.
func (s *Source) GetRaw(_ context.Context, path string) (json.RawMessage, error) {
	d := s.d
	var v any
	switch {
	case path == "/groups":
		v = each(d.Groups, func(o obj) obj {
			o["id"] = id("g", str(o["name"]))
			o["peers"] = refObjs(o["peers"], "p")
			o["resources"] = resourceObjs(d, o["resources"])
			return o
		})
	case path == "/peers":
		v = each(d.Peers, func(o obj) obj {
			o["id"] = id("p", str(o["name"]))
			var groups []any
			for _, g := range d.Groups {
				for _, p := range strs(g["peers"]) {
					if p == str(o["name"]) {
						groups = append(groups, obj{"id": id("g", str(g["name"])), "name": g["name"]})
					}
				}
			}
			o["groups"] = groups
			return o
		})
	case path == "/users":
		v = each(d.Users, func(o obj) obj {
			o["id"] = id("u", userKey(o))
			o["auto_groups"] = refIDs(o["auto_groups"], "g")
			return o
		})
	case path == "/posture-checks":
		v = each(d.PostureChecks, func(o obj) obj { o["id"] = id("pc", str(o["name"])); return o })
	case path == "/policies":
		v = each(d.Policies, func(o obj) obj {
			o["id"] = id("pol", str(o["name"]))
			o["source_posture_checks"] = refIDs(o["source_posture_checks"], "pc")
			for i, r := range objs(o["rules"]) {
				r["id"] = fmt.Sprintf("%s#%d", o["id"], i)
				r["sources"] = refObjs(r["sources"], "g")
				r["destinations"] = refObjs(r["destinations"], "g")
				for _, k := range []string{"sourceResource", "destinationResource"} {
					if m, ok := r[k].(obj); ok {
						kind := "r"
						if str(m["type"]) == "peer" {
							kind = "p"
						}
						r[k] = obj{"id": id(kind, str(m["name"])), "type": m["type"]}
					}
				}
				if ag, ok := r["authorized_groups"].(obj); ok {
					byID := obj{}
					for name, users := range ag {
						byID[id("g", name)] = users
					}
					r["authorized_groups"] = byID
				}
			}
			return o
		})
	case path == "/networks":
		v = each(d.Networks, func(o obj) obj {
			o["id"] = id("n", str(o["name"]))
			var res, routers []any
			for _, r := range objs(o["resources"]) {
				res = append(res, id("r", str(r["name"])))
			}
			for i := range objs(o["routers"]) {
				routers = append(routers, fmt.Sprintf("%s#router%d", o["id"], i))
			}
			o["resources"], o["routers"], o["policies"] = res, routers, []any{}
			return o
		})
	case strings.HasPrefix(path, "/networks/"):
		v2, err := s.network(path)
		if err != nil {
			return nil, err
		}
		v = v2
	case path == "/routes":
		v = eachIndexed(d.Routes, func(i int, o obj) obj {
			o["id"] = fmt.Sprintf("rt#%d", i)
			if p := str(o["peer"]); p != "" {
				o["peer"] = id("p", p)
			}
			for _, k := range []string{"peer_groups", "groups", "access_control_groups"} {
				if o[k] != nil {
					o[k] = refIDs(o[k], "g")
				}
			}
			return o
		})
	case path == "/setup-keys":
		v = each(d.SetupKeys, func(o obj) obj {
			o["id"] = id("k", str(o["name"]))
			o["auto_groups"] = refIDs(o["auto_groups"], "g")
			o["valid"] = o["revoked"] != true
			return o
		})
	case path == "/dns/nameservers":
		v = each(d.Nameservers, func(o obj) obj {
			o["id"] = id("ns", str(o["name"]))
			o["groups"] = refIDs(o["groups"], "g")
			return o
		})
	case path == "/dns/settings":
		dns := clone(d.DNS)
		if dns == nil {
			dns = obj{}
		}
		dns["disabled_management_groups"] = refIDs(dns["disabled_management_groups"], "g")
		v = dns
	case path == "/accounts":
		settings := clone(d.Settings)
		for _, k := range []string{"ipv6_enabled_groups", "peer_expose_groups"} {
			if settings[k] != nil {
				settings[k] = refIDs(settings[k], "g")
			}
		}
		v = []any{obj{"id": "account", "settings": settings}}
	default:
		return nil, fmt.Errorf("%s: no %s in a configuration document", s.name, path)
	}
	return json.Marshal(v)
}

// network answers /networks/<id>/resources and /routers.
func (s *Source) network(path string) (any, error) {
	rest := strings.TrimPrefix(path, "/networks/")
	esc, kind, _ := strings.Cut(rest, "/")
	nid, err := url.PathUnescape(esc)
	if err != nil {
		return nil, err
	}
	for _, n := range s.d.Networks {
		if id("n", str(n["name"])) != nid {
			continue
		}
		switch kind {
		case "resources":
			return each(objs(n["resources"]), func(r obj) obj {
				r["id"] = id("r", str(r["name"]))
				r["groups"] = refObjs(r["groups"], "g")
				return r
			}), nil
		case "routers":
			return eachIndexed(objs(n["routers"]), func(i int, r obj) obj {
				r["id"] = fmt.Sprintf("%s#router%d", nid, i)
				if p := str(r["peer"]); p != "" {
					r["peer"] = id("p", p)
				}
				if r["peer_groups"] != nil {
					r["peer_groups"] = refIDs(r["peer_groups"], "g")
				}
				return r
			}), nil
		}
	}
	return nil, fmt.Errorf("%s: no %s in a configuration document", s.name, path)
}

func each(l []obj, fn func(obj) obj) []any {
	return eachIndexed(l, func(_ int, o obj) obj { return fn(o) })
}

// eachIndexed answers a copy of every object: the document stays as read.
func eachIndexed(l []obj, fn func(int, obj) obj) []any {
	out := make([]any, 0, len(l))
	for i, o := range l {
		out = append(out, fn(i, clone(o)))
	}
	return out
}

func clone(o obj) obj {
	if o == nil {
		return nil
	}
	b, _ := json.Marshal(o)
	var c obj
	json.Unmarshal(b, &c)
	return c
}

func refIDs(v any, kind string) []any {
	out := []any{}
	for _, n := range strs(v) {
		out = append(out, id(kind, n))
	}
	return out
}

func refObjs(v any, kind string) []any {
	if v == nil {
		return nil
	}
	out := []any{}
	for _, n := range strs(v) {
		out = append(out, obj{"id": id(kind, n), "name": n})
	}
	return out
}

// resourceObjs are a group's resources as the API lists them: id and type.
func resourceObjs(d *Doc, v any) []any {
	if v == nil {
		return nil
	}
	types := map[string]any{}
	for _, n := range d.Networks {
		for _, r := range objs(n["resources"]) {
			types[str(r["name"])] = r["type"]
		}
	}
	out := []any{}
	for _, n := range strs(v) {
		out = append(out, obj{"id": id("r", n), "type": types[n]})
	}
	return out
}
