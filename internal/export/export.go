// Package export saves NetBird's whole configuration as readable JSON: one
// pretty file per endpoint under export/, and manifest.json saying what was
// read, when, and how (ok, skipped with the server's reason, or error), with
// counts, sizes and checksums. An endpoint the server does not have (404) or
// the token may not read (403) is recorded, not fatal; nothing readable at
// all is an error.
package export

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/styliteag/birdseye/internal/netbird"
)

// API is what the export reads; *netbird.Client is one.
type API interface {
	GetRaw(ctx context.Context, path string) (json.RawMessage, error)
}

// Endpoint is one thing the export reads.
type Endpoint struct {
	Name string // file name without .json
	Path string // under /api
}

// Endpoints are the configuration endpoints of a self-hosted server (the
// per-object ones are added from what these return).
var Endpoints = []Endpoint{
	{"instance_version", "/instance/version"},
	{"accounts", "/accounts"},
	{"users", "/users"},
	{"groups", "/groups"},
	{"peers", "/peers"},
	{"setup_keys", "/setup-keys"},
	{"policies", "/policies"},
	{"posture_checks", "/posture-checks"},
	{"routes", "/routes"},
	{"networks", "/networks"},
	{"dns_nameservers", "/dns/nameservers"},
	{"dns_settings", "/dns/settings"},
	{"dns_zones", "/dns/zones"},
	{"identity_providers", "/identity-providers"},
	{"reverse_proxy_services", "/reverse-proxies/services"},
	{"reverse_proxy_domains", "/reverse-proxies/domains"},
	{"event_streaming", "/event-streaming"},
	{"notification_channels", "/integrations/notifications/channels"},
}

// Entry is one endpoint in the manifest.
type Entry struct {
	Name   string `json:"name"`
	Path   string `json:"path"`
	Status string `json:"status"` // ok, skipped, error
	Reason string `json:"reason,omitempty"`
	Count  int    `json:"count"`
	Bytes  int    `json:"bytes"`
	SHA256 string `json:"sha256,omitempty"`
}

// Manifest describes an export.
type Manifest struct {
	ExportedAt string  `json:"exported_at"`
	NBURL      string  `json:"nb_url"`
	Birdseye   string  `json:"birdseye_version"`
	Endpoints  []Entry `json:"endpoints"`
}

// File is one JSON file of the export.
type File struct {
	Name string // export/<name>.json
	Body []byte
}

// ErrNothingExported is returned when no endpoint could be read.
var ErrNothingExported = errors.New("no endpoint could be read")

// Run reads every endpoint and returns the files (manifest last).
func Run(ctx context.Context, api API, nbURL, version string, now time.Time) ([]File, *Manifest, error) {
	m := &Manifest{ExportedAt: now.UTC().Format(time.RFC3339), NBURL: nbURL, Birdseye: version}
	var files []File
	ok := 0
	read := func(ep Endpoint) json.RawMessage {
		e := Entry{Name: ep.Name, Path: "/api" + ep.Path}
		raw, err := api.GetRaw(ctx, ep.Path)
		var nerr *netbird.Error
		switch {
		case errors.As(err, &nerr) && (nerr.Status == 404 || nerr.Status == 403 || nerr.Status == 412):
			e.Status, e.Reason = "skipped", fmt.Sprintf("HTTP %d: %s", nerr.Status, nerr.Message)
		case err != nil:
			e.Status, e.Reason = "error", err.Error()
		default:
			body, count, perr := pretty(raw)
			if perr != nil {
				e.Status, e.Reason = "error", perr.Error()
				break
			}
			sum := sha256.Sum256(body)
			e.Status, e.Count, e.Bytes, e.SHA256 = "ok", count, len(body), hex.EncodeToString(sum[:])
			files = append(files, File{Name: "export/" + ep.Name + ".json", Body: body})
			ok++
		}
		m.Endpoints = append(m.Endpoints, e)
		if e.Status != "ok" {
			return nil
		}
		return raw
	}
	for _, ep := range Endpoints {
		raw := read(ep)
		switch ep.Name {
		case "networks":
			for _, id := range ids(raw) {
				read(Endpoint{"network_" + id + "_resources", "/networks/" + url.PathEscape(id) + "/resources"})
				read(Endpoint{"network_" + id + "_routers", "/networks/" + url.PathEscape(id) + "/routers"})
			}
		case "users":
			for _, id := range ids(raw) {
				read(Endpoint{"user_" + safe(id) + "_tokens", "/users/" + url.PathEscape(id) + "/tokens"})
			}
		case "dns_zones":
			for _, id := range ids(raw) {
				read(Endpoint{"dns_zone_" + id + "_records", "/dns/zones/" + url.PathEscape(id) + "/records"})
			}
		}
	}
	if ok == 0 {
		return nil, m, ErrNothingExported
	}
	mb, _ := marshal(m)
	files = append(files, File{Name: "export/manifest.json", Body: mb})
	return files, m, nil
}

// pretty re-indents a body with sorted keys (numbers kept as sent) and
// counts its items: a list's length, 1 for an object.
func pretty(raw json.RawMessage) ([]byte, int, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, 0, fmt.Errorf("not JSON: %w", err)
	}
	count := 1
	switch x := v.(type) {
	case []any:
		count = len(x)
	case nil:
		count = 0
	}
	b, err := marshal(v)
	return b, count, err
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func ids(raw json.RawMessage) []string {
	var items []struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &items) != nil {
		return nil
	}
	var out []string
	for _, it := range items {
		if it.ID != "" {
			out = append(out, it.ID)
		}
	}
	return out
}

// safe keeps a user id usable as a file name (ids of the embedded IdP are
// base64 and may hold '/' or '+').
func safe(id string) string {
	b := []byte(id)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}
