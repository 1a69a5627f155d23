package netbird

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// TrafficEndpoint is one side of a flow.
type TrafficEndpoint struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	Name        string `json:"name"`
	OS          string `json:"os"`
	Address     string `json:"address"`
	DNSLabel    string `json:"dns_label"`
	GeoLocation struct {
		CityName    string `json:"city_name"`
		CountryCode string `json:"country_code"`
	} `json:"geo_location"`
}

// TrafficEvent is one flow of GET /api/events/network-traffic (v0.77.1:
// the server correlates a flow's start, end and drop events into one record).
type TrafficEvent struct {
	ID               string          `json:"id"`
	FlowID           string          `json:"flow_id"`
	ReporterID       string          `json:"reporter_id"`
	ReceiveTimestamp string          `json:"receive_timestamp,omitempty"`
	Source           TrafficEndpoint `json:"source"`
	Destination      TrafficEndpoint `json:"destination"`
	User             struct {
		ID    string `json:"id"`
		Email string `json:"email"`
		Name  string `json:"name"`
	} `json:"user"`
	Policy struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"policy"`
	ICMP struct {
		Type int `json:"type"`
		Code int `json:"code"`
	} `json:"icmp"`
	Protocol    int    `json:"protocol"`
	Direction   string `json:"direction"`
	RxBytes     int64  `json:"rx_bytes"`
	RxPackets   int64  `json:"rx_packets"`
	TxBytes     int64  `json:"tx_bytes"`
	TxPackets   int64  `json:"tx_packets"`
	NumOfStarts int    `json:"num_of_starts"`
	NumOfEnds   int    `json:"num_of_ends"`
	NumOfDrops  int    `json:"num_of_drops"`
	WindowStart string `json:"window_start"`
	WindowEnd   string `json:"window_end"`
	Events      []struct {
		Timestamp string `json:"timestamp"`
		Type      string `json:"type"`
	} `json:"events"`
}

// TrafficPage is one page of flows.
type TrafficPage struct {
	Data         []TrafficEvent `json:"data"`
	Page         int            `json:"page"`
	PageSize     int            `json:"page_size"`
	TotalRecords int            `json:"total_records"`
	TotalPages   int            `json:"total_pages"`
}

// TrafficFilter are the server-side filters of the traffic list.
type TrafficFilter struct {
	Type, ConnectionType, Direction, Search string
	UserID, ReporterID, SourceID, DestID    string
	Protocol                                int // IANA number; 0 = any
	Start, End                              time.Time
}

func (f TrafficFilter) query(page, size int) url.Values {
	q := url.Values{"page": {strconv.Itoa(page)}, "page_size": {strconv.Itoa(size)}}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("type", f.Type)
	set("connection_type", f.ConnectionType)
	set("direction", f.Direction)
	set("search", f.Search)
	set("user_id", f.UserID)
	set("reporter_id", f.ReporterID)
	set("source_id", f.SourceID)
	set("destination_id", f.DestID)
	if f.Protocol > 0 {
		q.Set("protocol", strconv.Itoa(f.Protocol))
	}
	if !f.Start.IsZero() {
		q.Set("start_date", f.Start.UTC().Format(time.RFC3339))
	}
	if !f.End.IsZero() {
		q.Set("end_date", f.End.UTC().Format(time.RFC3339))
	}
	return q
}

// ListTraffic returns one page (from 1) of the traffic flows. A self-hosted
// server answers the router's plain-text 404: traffic events are a NetBird
// Cloud feature there.
func (c *Client) ListTraffic(ctx context.Context, f TrafficFilter, page, size int) (*TrafficPage, error) {
	var data []TrafficEvent
	p, err := c.ScanTraffic(ctx, f, page, size, func(e TrafficEvent) { data = append(data, e) })
	if err != nil {
		return nil, err
	}
	p.Data = data
	return p, nil
}

// ScanTraffic reads one page and hands each record to fn as it is decoded,
// so that memory follows what fn keeps, not the page (up to 50,000 records,
// tens of MB). The returned page has no Data.
func (c *Client) ScanTraffic(ctx context.Context, f TrafficFilter, page, size int, fn func(TrafficEvent)) (*TrafficPage, error) {
	path := "/events/network-traffic?" + f.query(page, size).Encode()
	resp, cancel, err := c.get(ctx, path)
	if err != nil {
		return nil, err
	}
	defer cancel()
	defer resp.Body.Close()
	p, err := scanTrafficPage(resp.Body, fn)
	if err != nil {
		return nil, &Error{Kind: KindDecode, Method: http.MethodGet, Path: c.base.Path + path, Status: resp.StatusCode,
			Message: "response is not the expected JSON: " + err.Error(), RequestID: resp.Header.Get("X-Request-Id")}
	}
	return p, nil
}

// scanTrafficPage walks {"data":[…],"page":…} one record at a time.
func scanTrafficPage(r io.Reader, fn func(TrafficEvent)) (*TrafficPage, error) {
	dec := json.NewDecoder(r)
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("expected an object (%v)", err)
	}
	var p TrafficPage
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch t {
		case "data":
			t, err := dec.Token()
			if err != nil {
				return nil, err
			}
			if t == nil { // "data": null
				continue
			}
			if t != json.Delim('[') {
				return nil, fmt.Errorf("data is not a list")
			}
			for dec.More() {
				var e TrafficEvent
				if err := dec.Decode(&e); err != nil {
					return nil, err
				}
				fn(e)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
		case "page":
			err = dec.Decode(&p.Page)
		case "page_size":
			err = dec.Decode(&p.PageSize)
		case "total_records":
			err = dec.Decode(&p.TotalRecords)
		case "total_pages":
			err = dec.Decode(&p.TotalPages)
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return nil, err
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return &p, nil
}
