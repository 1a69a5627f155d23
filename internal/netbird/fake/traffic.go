package fake

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Flow is a traffic flow as the fake serves it.
type Flow struct {
	Source, Destination string // peer names
	SourceIP, DestIP    string
	Protocol            int // 6 tcp, 17 udp, 1 icmp
	Direction           string
	Drops               int
	Policy, User        string
	Start               time.Time
}

// EnableTraffic makes the fake answer /api/events/network-traffic like
// NetBird Cloud; by default it answers the plain-text 404 of self-hosted.
func (s *Server) EnableTraffic(flows ...Flow) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trafficOn = true
	s.flows = append(s.flows, flows...)
}

func (s *Server) trafficRoute(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	on := s.trafficOn
	flows := append([]Flow(nil), s.flows...)
	s.mu.Unlock()
	if r.URL.Path != "/api/events/network-traffic" || !on {
		return false
	}
	w.Header().Set("X-Request-Id", fmt.Sprintf("fake-%06d", s.reqSeq.Add(1)))
	if !s.authorised(w, r) {
		return true
	}
	q := r.URL.Query()
	page, size := atoiOr(q.Get("page"), 1), atoiOr(q.Get("page_size"), 1000)
	if page < 1 || size < 1 || size > 50000 {
		WriteError(w, http.StatusUnprocessableEntity, "invalid page or page_size")
		return true
	}
	start, _ := time.Parse(time.RFC3339, q.Get("start_date"))
	end, _ := time.Parse(time.RFC3339, q.Get("end_date"))
	var data []map[string]any
	for i, f := range flows {
		if !flowMatches(f, q.Get("type"), q.Get("direction"), q.Get("protocol"), q.Get("search")) ||
			(!start.IsZero() && f.Start.Before(start)) || (!end.IsZero() && f.Start.After(end)) {
			continue
		}
		events := []map[string]any{{"type": "TYPE_START", "timestamp": f.Start.Format(time.RFC3339Nano)}}
		if f.Drops > 0 {
			events = []map[string]any{{"type": "TYPE_DROP", "timestamp": f.Start.Format(time.RFC3339Nano)}}
		}
		data = append(data, map[string]any{
			"id": fmt.Sprintf("ev%05d", i+1), "flow_id": fmt.Sprintf("flow%05d", i+1), "reporter_id": "peer-" + f.Source,
			"source":      map[string]any{"id": "peer-" + f.Source, "type": "PEER", "name": f.Source, "address": f.SourceIP, "dns_label": f.Source + ".netbird.test", "os": "linux", "geo_location": map[string]any{"city_name": "", "country_code": ""}},
			"destination": map[string]any{"id": "peer-" + f.Destination, "type": "PEER", "name": f.Destination, "address": f.DestIP, "dns_label": f.Destination + ".netbird.test", "os": "linux", "geo_location": map[string]any{"city_name": "", "country_code": ""}},
			"user":        map[string]any{"id": "", "email": f.User, "name": f.User}, "policy": map[string]any{"id": "pol", "name": f.Policy},
			"icmp": map[string]any{"type": 0, "code": 0}, "protocol": f.Protocol, "direction": f.Direction,
			"rx_bytes": 1000, "rx_packets": 10, "tx_bytes": 2000, "tx_packets": 20,
			"num_of_starts": boolInt(f.Drops == 0), "num_of_ends": 0, "num_of_drops": f.Drops,
			"window_start": f.Start.Format(time.RFC3339Nano), "window_end": f.Start.Add(time.Minute).Format(time.RFC3339Nano), "events": events,
		})
	}
	if s.TrafficNewestFirst {
		slices.Reverse(data)
	}
	total := len(data)
	from, to := min((page-1)*size, total), min(page*size, total)
	writeJSON(w, map[string]any{"data": nonNil(data[from:to]), "page": page, "page_size": size, "total_records": total, "total_pages": (total + size - 1) / size})
	return true
}

func flowMatches(f Flow, typ, dir, proto, search string) bool {
	switch typ {
	case "TYPE_DROP":
		if f.Drops == 0 {
			return false
		}
	case "TYPE_START":
		if f.Drops > 0 {
			return false
		}
	}
	if dir != "" && dir != f.Direction {
		return false
	}
	if proto != "" && proto != strconv.Itoa(f.Protocol) {
		return false
	}
	if search != "" && !strings.Contains(f.Source+" "+f.Destination, search) {
		return false
	}
	return true
}

func atoiOr(s string, d int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return d
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nonNil(d []map[string]any) []map[string]any {
	if d == nil {
		return []map[string]any{}
	}
	return d
}
