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
// per-object ones are added from what these return). A test holds them
// against the OpenAPI description: every GET collection that is not
// cloud-only is here or in NotExported with the reason.
var Endpoints = []Endpoint{
	{"instance_version", "/instance/version"},
	{"accounts", "/accounts"},
	{"users", "/users"},
	{"users_invites", "/users/invites"},
	{"groups", "/groups"},
	{"peers", "/peers"},
	{"setup_keys", "/setup-keys"},
	{"policies", "/policies"},
	{"posture_checks", "/posture-checks"},
	{"routes", "/routes"},
	{"networks", "/networks"},
	{"network_routers", "/networks/routers"},
	{"dns_nameservers", "/dns/nameservers"},
	{"dns_settings", "/dns/settings"},
	{"dns_zones", "/dns/zones"},
	{"identity_providers", "/identity-providers"},
	{"reverse_proxy_services", "/reverse-proxies/services"},
	{"reverse_proxy_domains", "/reverse-proxies/domains"},
	{"reverse_proxy_clusters", "/reverse-proxies/clusters"},
	{"reverse_proxy_proxy_tokens", "/reverse-proxies/proxy-tokens"},
	{"agent_network_settings", "/agent-network/settings"},
	{"agent_network_providers", "/agent-network/providers"},
	{"agent_network_policies", "/agent-network/policies"},
	{"agent_network_guardrails", "/agent-network/guardrails"},
	{"agent_network_budget_rules", "/agent-network/budget-rules"},
	// Cloud-only: a self-hosted server answers 404 and the manifest says so;
	// kept for exports of NetBird Cloud accounts.
	{"event_streaming", "/event-streaming"},
	{"notification_channels", "/integrations/notifications/channels"},
}

// NotExported are the GET collections of the API that hold no
// configuration to restore, with the reason.
var NotExported = map[string]string{
	"/instance":                          "the setup status of the instance, not configuration",
	"/users/current":                     "the token's own user, already in users (and 403 for service users)",
	"/events/audit":                      "events, not configuration: the forwarder's job",
	"/events/proxy":                      "the reverse proxy's access log, not configuration",
	"/locations/countries":               "NetBird's list of countries, not configuration",
	"/agent-network/access-logs":         "logs, not configuration",
	"/agent-network/access-log-sessions": "logs, not configuration",
	"/agent-network/usage/overview":      "usage figures, not configuration",
	"/agent-network/consumption":         "usage figures, not configuration",
	"/agent-network/catalog/providers":   "NetBird's catalog of provider types, not configuration",
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
