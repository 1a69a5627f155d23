package netbird

import (
	"context"
	"net/url"
	"strconv"
	"time"
)

// ProxyLog is one request through NetBird's reverse proxy
// (GET /api/events/proxy; present on self-hosted servers).
type ProxyLog struct {
	ID              string            `json:"id"`
	ServiceID       string            `json:"service_id"`
	Timestamp       time.Time         `json:"timestamp"`
	Method          string            `json:"method"`
	Host            string            `json:"host"`
	Path            string            `json:"path"`
	DurationMS      int64             `json:"duration_ms"`
	StatusCode      int               `json:"status_code"`
	SourceIP        string            `json:"source_ip,omitempty"`
	Reason          string            `json:"reason,omitempty"`
	UserID          string            `json:"user_id,omitempty"`
	AuthMethodUsed  string            `json:"auth_method_used,omitempty"`
	CountryCode     string            `json:"country_code,omitempty"`
	CityName        string            `json:"city_name,omitempty"`
	SubdivisionCode string            `json:"subdivision_code,omitempty"`
	BytesUpload     int64             `json:"bytes_upload"`
	BytesDownload   int64             `json:"bytes_download"`
	Protocol        string            `json:"protocol,omitempty"`
	Metadata        map[string]string `json:"metadata,omitempty"`
}

// ProxyLogPage is one page of access-log entries.
type ProxyLogPage struct {
	Data         []ProxyLog `json:"data"`
	Page         int        `json:"page"`
	PageSize     int        `json:"page_size"`
	TotalRecords int        `json:"total_records"`
	TotalPages   int        `json:"total_pages"`
}

// ProxyLogFilter are the server-side filters of the access-log list.
type ProxyLogFilter struct {
	Search, SourceIP, Host, Path, UserID, Method string
	Status                                       string // success or failed
	StatusCode                                   int
	Start, End                                   time.Time
	Ascending                                    bool // oldest first (the server's default is newest first)
}

// ProxyLogMaxPageSize is the server's cap on page_size.
const ProxyLogMaxPageSize = 100

func (f ProxyLogFilter) query(page, size int) url.Values {
	q := url.Values{"page": {strconv.Itoa(page)}, "page_size": {strconv.Itoa(size)}, "sort_by": {"timestamp"}, "sort_order": {"desc"}}
	if f.Ascending {
		q.Set("sort_order", "asc")
	}
	for k, v := range map[string]string{"search": f.Search, "source_ip": f.SourceIP, "host": f.Host, "path": f.Path,
		"user_id": f.UserID, "method": f.Method, "status": f.Status} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.StatusCode > 0 {
		q.Set("status_code", strconv.Itoa(f.StatusCode))
	}
	if !f.Start.IsZero() {
		q.Set("start_date", f.Start.UTC().Format(time.RFC3339))
	}
	if !f.End.IsZero() {
		q.Set("end_date", f.End.UTC().Format(time.RFC3339))
	}
	return q
}

// ListProxyLogs returns one page (from 1) of the reverse proxy's access log.
func (c *Client) ListProxyLogs(ctx context.Context, f ProxyLogFilter, page, size int) (*ProxyLogPage, error) {
	var p ProxyLogPage
	return &p, c.getJSON(ctx, "/events/proxy?"+f.query(page, size).Encode(), &p)
}
