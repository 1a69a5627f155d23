package fake

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Access is a reverse-proxy access-log entry as the fake serves it.
type Access struct {
	Time       time.Time
	Method     string
	Host, Path string
	Status     int
	SourceIP   string
	UserID     string
	Reason     string // why a request was refused, e.g. "authentication failed"
	AuthMethod string
}

// AddProxyLogs appends access-log entries; /api/events/proxy is always
// served, empty by default, as on a self-hosted v0.77.1 server.
func (s *Server) AddProxyLogs(entries ...Access) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access = append(s.access, entries...)
}

// NoProxyLogs makes /api/events/proxy the router's plain-text 404, as on a
// server without the reverse-proxy module.
func (s *Server) NoProxyLogs() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noProxy = true
}

func (s *Server) proxyLogRoute(w http.ResponseWriter, r *http.Request, f *Failure) bool {
	s.mu.Lock()
	off := s.noProxy
	s.mu.Unlock()
	if r.URL.Path != "/api/events/proxy" || off {
		return false
	}
	s.mu.Lock()
	entries := append([]Access(nil), s.access...)
	s.mu.Unlock()
	w.Header().Set("X-Request-Id", fmt.Sprintf("fake-%06d", s.reqSeq.Add(1)))
	if !s.authorised(w, r) || (f != nil && f.serve(s, w, r)) {
		return true
	}
	q := r.URL.Query()
	page, size := atoiOr(q.Get("page"), 1), min(atoiOr(q.Get("page_size"), 50), 100) // the server caps, it does not refuse
	if page < 1 || size < 1 {
		WriteError(w, http.StatusUnprocessableEntity, "invalid page or page_size")
		return true
	}
	start, _ := time.Parse(time.RFC3339, q.Get("start_date"))
	end, _ := time.Parse(time.RFC3339, q.Get("end_date"))
	type row struct {
		id string
		a  Access
	}
	var rows []row
	for i, a := range entries {
		switch {
		case q.Get("host") != "" && q.Get("host") != a.Host,
			q.Get("method") != "" && q.Get("method") != a.Method,
			q.Get("status_code") != "" && q.Get("status_code") != fmt.Sprint(a.Status),
			q.Get("status") == "success" && a.Status >= 400,
			q.Get("status") == "failed" && a.Status < 400,
			q.Get("source_ip") != "" && q.Get("source_ip") != a.SourceIP,
			q.Get("search") != "" && !strings.Contains(strings.ToLower(a.Host+a.Path+a.SourceIP), strings.ToLower(q.Get("search"))),
			!start.IsZero() && a.Time.Before(start),
			!end.IsZero() && a.Time.After(end):
			continue
		}
		rows = append(rows, row{fmt.Sprintf("al%06d", i+1), a})
	}
	slices.SortStableFunc(rows, func(x, y row) int {
		c := x.a.Time.Compare(y.a.Time)
		if q.Get("sort_order") != "asc" {
			c = -c
		}
		return c
	})
	total := len(rows)
	from, to := min((page-1)*size, total), min(page*size, total)
	data := []map[string]any{}
	for _, x := range rows[from:to] {
		a := x.a
		data = append(data, map[string]any{
			"id": x.id, "service_id": "svc-" + a.Host, "timestamp": a.Time.UTC().Format(time.RFC3339Nano),
			"method": a.Method, "host": a.Host, "path": a.Path, "duration_ms": 12, "status_code": a.Status,
			"source_ip": a.SourceIP, "reason": a.Reason, "user_id": a.UserID, "auth_method_used": a.AuthMethod,
			"bytes_upload": 300, "bytes_download": 4000, "protocol": "http",
		})
	}
	writeJSON(w, map[string]any{"data": data, "page": page, "page_size": size, "total_records": total, "total_pages": (total + size - 1) / size})
	return true
}
