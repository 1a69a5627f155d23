// Package demo simulates a busy NetBird account for `birdseye demo`: it serves
// the fake management API on loopback and adds a realistic stream of audit
// events (peers logging in and joining with setup keys, policies and groups
// changing, tokens created, logins expiring) so that a new user sees the
// forwarder work without a NetBird server.
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird/fake"
)

// Ids of the fixture account (internal/netbird/fake/fixtures).
const (
	adminID      = "CiRkZTgyY2JlNi1hOTllLTQ4YjEtYWRlNy1iYjUyZWUxOTk0N2MSBWxvY2Fs"
	botUserID    = "0255b0f6-0321-4d38-b1e0-1246b750ba1b" // a service user: no name in the event
	officeKeyID  = "dc1uf0tqmd2qmv54vk30"
	runnerKeyID  = "dc1uf0tqmd2qmv54vk40"
	serversGroup = "dc1uf0tqmd2qmv54vjp0"
)

// Server is a running simulated management API.
type Server struct {
	Fake *fake.Server
	URL  string
	srv  *http.Server
}

// Start serves a fake API with the fixture account's history on 127.0.0.1.
func Start() (*Server, error) {
	f := fake.New()
	f.LoadFixtureEvents()
	simulateNetwork(f)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: listen on loopback: %w", err)
	}
	s := &Server{Fake: f, URL: "http://" + ln.Addr().String(), srv: &http.Server{Handler: f, ReadHeaderTimeout: 5 * time.Second}}
	go s.srv.Serve(ln)
	return s, nil
}

// simulateNetwork gives the fixture account what a network has and the
// fixture lacks, so that the watch and the fleet metrics have something to
// show: a route whose routing peers are the Servers group (its one peer is
// offline) and a reusable key with a usage limit nearly reached.
func simulateNetwork(f *fake.Server) {
	f.SetRoutes(`[{"id":"demo-route-office","network_id":"office-lan","network":"10.77.0.0/24","description":"office LAN","enabled":true,
	  "peer":"","peer_groups":["` + serversGroup + `"],"groups":["` + serversGroup + `"],"metric":9999,"masquerade":true,"keep_route":true}]`)
	var keys []map[string]any
	if json.Unmarshal(f.Collection("setup-keys"), &keys) == nil {
		for _, k := range keys {
			if k["name"] == "ci-runners" {
				k["usage_limit"], k["used_times"] = 50, 46
			}
		}
		raw, _ := json.Marshal(keys)
		f.SetSetupKeys(string(raw))
	}
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Generate adds one event every `every` (with some jitter) until ctx ends.
func Generate(ctx context.Context, f *fake.Server, every time.Duration, seed uint64) {
	g := NewGenerator(seed)
	t := time.NewTimer(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		f.Add(Apply(f, g.Next())) // the configuration changes as the event says, so its diff shows
		jitter := time.Duration(g.rnd.Int64N(int64(every)/2+1)) - every/4
		t.Reset(every + jitter)
	}
}

// Apply changes the fake's configuration the way e says it changed, and
// returns e: the policy's SSH ports flip, a new group exists, the setup key
// gains the group (or, when it has it, loses it: the event then says so).
// The change diffs then show what a real server would.
func Apply(f *fake.Server, e event.Event) event.Event {
	edit := func(name string, set func(string), fn func([]map[string]any) []map[string]any) {
		var objs []map[string]any
		if json.Unmarshal(f.Collection(name), &objs) != nil {
			return
		}
		raw, _ := json.Marshal(fn(objs))
		set(string(raw))
	}
	switch e.ActivityCode {
	case "policy.update":
		edit("policies", f.SetPolicies, func(ps []map[string]any) []map[string]any {
			for _, p := range ps {
				if rules, _ := p["rules"].([]any); p["id"] == e.TargetID && len(rules) > 0 {
					r, _ := rules[0].(map[string]any)
					if ports, _ := r["ports"].([]any); len(ports) == 1 {
						r["ports"] = []any{"22", "2222"}
					} else {
						r["ports"] = []any{"22"}
					}
				}
			}
			return ps
		})
	case "group.add":
		edit("groups", f.SetGroups, func(gs []map[string]any) []map[string]any {
			return append(gs, map[string]any{"id": e.TargetID, "name": e.Meta.Get("name"), "peers_count": 0, "resources_count": 0, "issued": "api", "peers": []any{}, "resources": []any{}})
		})
	case "setupkey.group.add":
		edit("setup-keys", f.SetSetupKeys, func(ks []map[string]any) []map[string]any {
			gid := any(e.Meta.Get("group_id"))
			for _, k := range ks {
				groups, _ := k["auto_groups"].([]any)
				switch {
				case k["id"] != e.TargetID:
				case slices.Contains(groups, gid):
					k["auto_groups"] = slices.DeleteFunc(groups, func(g any) bool { return g == gid })
					e.ActivityCode = "setupkey.group.delete"
				default:
					k["auto_groups"] = append(groups, gid)
				}
			}
			return ks
		})
	}
	return e
}

// Generator makes a believable sequence of audit events.
type Generator struct {
	rnd  *rand.Rand
	step int
}

// NewGenerator returns a generator; the same seed gives the same events.
func NewGenerator(seed uint64) *Generator {
	return &Generator{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

var (
	laptops = []string{"alice-laptop", "bob-macbook", "carol-thinkpad", "dave-x1", "erin-surface"}
	cities  = [][2]string{{"Berlin", "DE"}, {"Nuremberg", "DE"}, {"Vienna", "AT"}, {"Zurich", "CH"}, {"Amsterdam", "NL"}}
	groups  = []string{"Laptops", "Servers", "Ops"}
	groupID = map[string]string{"Laptops": "dc1uf0tqmd2qmv54vjqg", "Servers": serversGroup, "Ops": "dc1uf0tqmd2qmv54vjs0"} // the fixture's
)

func meta(kv ...string) event.Meta {
	m := make(event.Meta, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m = append(m, event.MetaField{Key: kv[i], Value: kv[i+1]})
	}
	return m
}

func (g *Generator) pick(s []string) string { return s[g.rnd.IntN(len(s))] }

func (g *Generator) ip() string {
	return fmt.Sprintf("100.77.%d.%d", g.rnd.IntN(255), 1+g.rnd.IntN(253))
}

func admin(e event.Event) event.Event {
	e.InitiatorID, e.InitiatorName, e.InitiatorEmail = adminID, "Admin", "admin@netbird.test"
	return e
}

// Next returns the next event of the simulation (without id or time).
func (g *Generator) Next() event.Event {
	g.step++
	switch g.step % 10 {
	case 1, 5, 8: // the most common event: a peer logs in
		name, city := g.pick(laptops), cities[g.rnd.IntN(len(cities))]
		return admin(event.Event{ActivityCode: "user.peer.login", TargetID: fmt.Sprintf("peer%03d", g.rnd.IntN(1000)),
			Meta: meta("name", name, "ip", g.ip(), "fqdn", name+".netbird.test", "location_city_name", city[0],
				"location_country_code", city[1], "location_geo_name_id", "2950159",
				"location_connection_ip", fmt.Sprintf("2003:a:172b::%x", g.rnd.IntN(0xffff)))})
	case 2: // a CI runner joins with an ephemeral setup key: no name, only the key's id
		n := g.rnd.IntN(90) + 10
		ip := g.ip()
		return event.Event{ActivityCode: "peer.setupkey.add", InitiatorID: runnerKeyID, TargetID: fmt.Sprintf("runner%02d", n),
			Meta: meta("name", fmt.Sprintf("ci-runner-%d", n), "ip", ip, "fqdn", fmt.Sprintf("ci-runner-%d.netbird.test", n), "setup_key_name", "ci-runners")}
	case 3:
		return admin(event.Event{ActivityCode: "policy.update", TargetID: "dc1uf0tqmd2qmv54vjvg", Meta: meta("name", "Admins to Servers")})
	case 4: // the service user automates group changes
		grp := g.pick(groups)
		return event.Event{ActivityCode: "peer.group.add", InitiatorID: botUserID, TargetID: "peer" + fmt.Sprint(g.rnd.IntN(100)),
			Meta: meta("group", grp, "group_id", groupID[grp], "peer_ip", g.ip(), "peer_fqdn", g.pick(laptops)+".netbird.test")}
	case 6:
		return event.Event{ActivityCode: "peer.login.expire", InitiatorID: "sys", TargetID: "peer" + fmt.Sprint(g.rnd.IntN(100)),
			Meta: meta("name", g.pick(laptops), "ip", g.ip())}
	case 7:
		grp := g.pick(groups)
		return admin(event.Event{ActivityCode: "setupkey.group.add", TargetID: officeKeyID, Meta: meta("group", grp, "group_id", groupID[grp], "setupkey", "office-2026")})
	case 9:
		return admin(event.Event{ActivityCode: "personal.access.token.create", TargetID: botUserID,
			Meta: meta("email", "", "is_service_user", "true", "name", fmt.Sprintf("deploy-%d", g.step), "user_name", "birdseye-bot", "username", "birdseye-bot")})
	default:
		return admin(event.Event{ActivityCode: "group.add", TargetID: fmt.Sprintf("grp%04d", g.step), Meta: meta("name", fmt.Sprintf("project-%d", g.step))})
	}
}
