package netbird

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// GroupRef is a group as peers and policies embed it.
type GroupRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Peer is the part of GET /api/peers birdseye reads.
type Peer struct {
	ID               string     `json:"id"`
	Name             string     `json:"name"`
	IP               string     `json:"ip"`
	DNSLabel         string     `json:"dns_label"`
	OS               string     `json:"os"`
	Version          string     `json:"version"`
	Connected        bool       `json:"connected"`
	Ephemeral        bool       `json:"ephemeral"`
	LoginExpired     bool       `json:"login_expired"`
	ApprovalRequired bool       `json:"approval_required"`
	LastSeen         time.Time  `json:"last_seen"`
	Groups           []GroupRef `json:"groups"`
	UserID           string     `json:"user_id,omitempty"` // who enrolled it by SSO ("" with a setup key)

	LastLogin              time.Time `json:"last_login,omitzero"`
	LoginExpirationEnabled bool      `json:"login_expiration_enabled"`
	ConnectionIP           string    `json:"connection_ip,omitempty"`
	CountryCode            string    `json:"country_code,omitempty"`
	CityName               string    `json:"city_name,omitempty"`
	SSHEnabled             bool      `json:"ssh_enabled"`
}

// Route is the part of GET /api/routes that says which peers route.
type Route struct {
	ID         string   `json:"id"`
	NetworkID  string   `json:"network_id"`
	Enabled    bool     `json:"enabled"`
	Peer       string   `json:"peer"`
	PeerGroups []string `json:"peer_groups"`
}

// NetworkRouter is the part of GET /api/networks/routers birdseye reads.
type NetworkRouter struct {
	ID         string   `json:"id"`
	Enabled    bool     `json:"enabled"`
	Peer       string   `json:"peer"`
	PeerGroups []string `json:"peer_groups"`
}

// AccountSettings are the account settings birdseye reads.
type AccountSettings struct {
	PeerLoginExpirationEnabled bool `json:"peer_login_expiration_enabled"`
	PeerLoginExpiration        int  `json:"peer_login_expiration"` // seconds
}

// Token is a personal access token as GET /api/users/{id}/tokens lists it
// (metadata only: the secret cannot be read back).
type Token struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	ExpirationDate time.Time `json:"expiration_date"`
	CreatedAt      time.Time `json:"created_at,omitzero"`
	LastUsed       time.Time `json:"last_used,omitzero"`
}

// ListTokens returns a user's personal access tokens.
func (c *Client) ListTokens(ctx context.Context, userID string) ([]Token, error) {
	var out []Token
	return out, c.getJSON(ctx, "/users/"+url.PathEscape(userID)+"/tokens", &out)
}

// ListRoutes returns GET /api/routes.
func (c *Client) ListRoutes(ctx context.Context) ([]Route, error) {
	var out []Route
	return out, c.getJSON(ctx, "/routes", &out)
}

// ListNetworkRouters returns GET /api/networks/routers (every network's).
func (c *Client) ListNetworkRouters(ctx context.Context) ([]NetworkRouter, error) {
	var out []NetworkRouter
	return out, c.getJSON(ctx, "/networks/routers", &out)
}

// GetAccountSettings returns the settings of the token's account
// (GET /api/accounts lists exactly that one).
func (c *Client) GetAccountSettings(ctx context.Context) (AccountSettings, error) {
	var out []struct {
		Settings AccountSettings `json:"settings"`
	}
	if err := c.getJSON(ctx, "/accounts", &out); err != nil {
		return AccountSettings{}, err
	}
	if len(out) == 0 {
		return AccountSettings{}, fmt.Errorf("GET /api/accounts: no account")
	}
	return out[0].Settings, nil
}

// Group is the part of GET /api/groups birdseye reads.
type Group struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	PeersCount     int    `json:"peers_count"`
	ResourcesCount int    `json:"resources_count"`
}

// ListPeers returns GET /api/peers.
func (c *Client) ListPeers(ctx context.Context) ([]Peer, error) {
	var out []Peer
	return out, c.getJSON(ctx, "/peers", &out)
}

// GetPeer returns GET /api/peers/{id}.
func (c *Client) GetPeer(ctx context.Context, id string) (Peer, error) {
	var p Peer
	return p, c.getJSON(ctx, "/peers/"+url.PathEscape(id), &p)
}

// DeletePeer deletes a peer. The server does not check that it is still
// disconnected: callers fetch it again first.
func (c *Client) DeletePeer(ctx context.Context, id string) error {
	return c.send(ctx, http.MethodDelete, "/peers/"+url.PathEscape(id), nil, nil)
}

// ListGroups returns GET /api/groups.
func (c *Client) ListGroups(ctx context.Context) ([]Group, error) {
	var out []Group
	return out, c.getJSON(ctx, "/groups", &out)
}

// send performs a write; body (when not nil) is sent as JSON and the answer
// is decoded into out (when not nil).
func (c *Client) send(ctx context.Context, method, path string, body, out any) error {
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("%s /api%s: encode request: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	var resp *http.Response
	var cancel context.CancelFunc
	var err error
	if rd != nil {
		resp, cancel, err = c.do(ctx, method, path, rd)
	} else {
		resp, cancel, err = c.do(ctx, method, path, nil)
	}
	if err != nil {
		return err
	}
	defer cancel()
	defer resp.Body.Close()
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return &Error{Kind: KindDecode, Method: method, Path: c.base.Path + path, Status: resp.StatusCode,
			Message: "response is not the expected JSON: " + err.Error(), RequestID: resp.Header.Get("X-Request-Id")}
	}
	return nil
}

// UpdateSetupKey changes a key's auto groups (and revokes it when revoked is
// true; a revoked key cannot be un-revoked). Nothing else of a key can change.
func (c *Client) UpdateSetupKey(ctx context.Context, id string, autoGroups []string, revoked bool) (SetupKey, error) {
	if autoGroups == nil {
		autoGroups = []string{}
	}
	var k SetupKey
	return k, c.send(ctx, http.MethodPut, "/setup-keys/"+url.PathEscape(id), map[string]any{"auto_groups": autoGroups, "revoked": revoked}, &k)
}

// GetRaw returns the body of GET /api<path> as it came, for the export.
func (c *Client) GetRaw(ctx context.Context, path string) (json.RawMessage, error) {
	var raw json.RawMessage
	return raw, c.getJSON(ctx, path, &raw)
}
