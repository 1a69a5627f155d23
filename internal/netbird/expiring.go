package netbird

import (
	"context"
	"errors"
	"time"
)

// Invite is a pending invite link of GET /api/users/invites (the embedded
// IdP only). Whoever created it is not in the answer: the audit log's
// user.invite.link.create names it as the initiator, with the invite's id
// as the target.
type Invite struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	ExpiresAt time.Time `json:"expires_at"`
	CreatedAt time.Time `json:"created_at"`
	Expired   bool      `json:"expired"`
}

// ListInvites returns GET /api/users/invites. A server without the
// embedded IdP answers 412 (see NotOffered).
func (c *Client) ListInvites(ctx context.Context) ([]Invite, error) {
	var out []Invite
	return out, c.getJSON(ctx, "/users/invites", &out)
}

// ProxyToken is a reverse-proxy access token of GET
// /api/reverse-proxies/proxy-tokens; ExpiresAt is zero for one that never
// expires.
type ProxyToken struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	CreatedAt time.Time `json:"created_at"`
	LastUsed  time.Time `json:"last_used,omitzero"`
	Revoked   bool      `json:"revoked"`
}

// ListProxyTokens returns GET /api/reverse-proxies/proxy-tokens.
func (c *Client) ListProxyTokens(ctx context.Context) ([]ProxyToken, error) {
	var out []ProxyToken
	return out, c.getJSON(ctx, "/reverse-proxies/proxy-tokens", &out)
}

// NotOffered reports an answer that says the server does not have the
// feature at all: a route it does not know (an older server's plain-text
// 404) or 412 (invites without the embedded IdP).
func NotOffered(err error) bool {
	var e *Error
	return NoSuchRoute(err) || errors.As(err, &e) && e.Status == 412
}

// InstanceVersion is GET /api/instance/version. The available versions
// are missing when the server could not fetch them (offline, or GitHub's
// rate limit): then UpdateAvailable is false, which says nothing.
type InstanceVersion struct {
	Current          string `json:"management_current_version"`
	ManagementLatest string `json:"management_available_version,omitempty"`
	DashboardLatest  string `json:"dashboard_available_version,omitempty"`
	UpdateAvailable  bool   `json:"management_update_available"`
}

// GetInstanceVersion returns GET /api/instance/version (any valid token).
func (c *Client) GetInstanceVersion(ctx context.Context) (InstanceVersion, error) {
	var v InstanceVersion
	return v, c.getJSON(ctx, "/instance/version", &v)
}
