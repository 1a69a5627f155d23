package mirror

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
)

// side is one controller's configuration as the mirror reads it: a list
// per API path, a network's resources and routers gathered into the lists
// "resources" and "routers" (each object marked with its network's name
// and its own path), and the DNS settings.
type side struct {
	lists map[string][]obj
	dns   obj
	// ords are the objects' places among those of the same key, by list
	// and id (see keyOf); dropped when the list is read again.
	ords map[string]map[string]int
}

var paths = []string{"/peers", "/groups", "/policies", "/posture-checks", "/setup-keys", "/networks", "/routes", "/dns/nameservers", "/users", "/accounts"}

func load(ctx context.Context, r Source) (*side, error) {
	s := &side{lists: map[string][]obj{}}
	for _, p := range paths {
		if err := s.reload(ctx, r, p); err != nil {
			return nil, err
		}
	}
	raw, err := r.GetRaw(ctx, "/dns/settings")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &s.dns); err != nil {
		return nil, fmt.Errorf("GET /api/dns/settings: %w", err)
	}
	return s, nil
}

// reload reads one list again; "resources" and "routers" are read per
// network, so the networks are read first.
func (s *side) reload(ctx context.Context, r Source, list string) error {
	s.ords = nil
	if list == "resources" || list == "routers" || list == "/networks" {
		return s.reloadNetworks(ctx, r)
	}
	l, err := getList(ctx, r, list)
	s.lists[list] = l
	return err
}

func (s *side) reloadNetworks(ctx context.Context, r Source) error {
	nets, err := getList(ctx, r, "/networks")
	if err != nil {
		return err
	}
	s.lists["/networks"] = nets
	s.lists["resources"], s.lists["routers"] = nil, nil
	for _, n := range nets {
		for _, kind := range []string{"resources", "routers"} {
			path := "/networks/" + url.PathEscape(str(n["id"])) + "/" + kind
			l, err := getList(ctx, r, path)
			if err != nil {
				return err
			}
			for _, o := range l {
				o["_network"], o["_path"] = n["name"], path
			}
			s.lists[kind] = append(s.lists[kind], l...)
		}
	}
	return nil
}

func getList(ctx context.Context, r Source, path string) ([]obj, error) {
	raw, err := r.GetRaw(ctx, path)
	if err != nil {
		return nil, err
	}
	var l []obj
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, fmt.Errorf("GET /api%s: not a list: %w", path, err)
	}
	return l, nil
}

func (s *side) summary() string {
	return fmt.Sprintf("%d groups, %d policies, %d networks, %d peers",
		len(s.lists["/groups"]), len(s.lists["/policies"]), len(s.lists["/networks"]), len(s.lists["/peers"]))
}

// names maps ids to names in a list, as keyOf matches them (a repeated
// name with its " #n").
func (s *side) names(list string) map[string]string {
	m := map[string]string{}
	name := func(o obj) string { return str(o["name"]) }
	for _, o := range s.lists[list] {
		m[str(o["id"])] = name(o)
		if n := s.ordinal(list, o, name); n > 1 {
			m[str(o["id"])] = fmt.Sprintf("%s #%d", name(o), n)
		}
	}
	return m
}

// ordinal is o's place (1, 2 …) among the objects of its list with the
// same key, in the order the server lists them.
func (s *side) ordinal(list string, o obj, key func(obj) string) int {
	if s.ords == nil {
		s.ords = map[string]map[string]int{}
	}
	ords, ok := s.ords[list]
	if !ok {
		ords = map[string]int{}
		seen := map[string]int{}
		for _, x := range s.lists[list] {
			k := key(x)
			seen[k]++
			ords[str(x["id"])] = seen[k]
		}
		s.ords[list] = ords
	}
	return max(1, ords[str(o["id"])])
}

// repeated are the keys that more than one object of a list has, with
// how many.
func (s *side) repeated(list string, key func(obj) string) map[string]int {
	count := map[string]int{}
	for _, x := range s.lists[list] {
		count[key(x)]++
	}
	for k, n := range count {
		if n < 2 {
			delete(count, k)
		}
	}
	return count
}
