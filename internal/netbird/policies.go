package netbird

import (
	"context"
	"net/http"
	"net/url"
)

// Policy is a policy as GET /api/policies returns it (rules carry group
// objects). Protocol values are passed through as the server sends them
// (all, tcp, udp, icmp, netbird-ssh, and whatever a newer server adds).
type Policy struct {
	ID                  string       `json:"id"`
	Name                string       `json:"name"`
	Description         string       `json:"description"`
	Enabled             bool         `json:"enabled"`
	Rules               []PolicyRule `json:"rules"`
	SourcePostureChecks []string     `json:"source_posture_checks"`
}

// PolicyRule is one rule of a policy, in the read form.
type PolicyRule struct {
	ID                  string              `json:"id,omitempty"`
	Name                string              `json:"name"`
	Description         string              `json:"description"`
	Enabled             bool                `json:"enabled"`
	Action              string              `json:"action"`
	Protocol            string              `json:"protocol"`
	Bidirectional       bool                `json:"bidirectional"`
	Ports               []string            `json:"ports,omitempty"`
	PortRanges          []PortRange         `json:"port_ranges,omitempty"`
	Sources             []GroupRef          `json:"sources,omitempty"`
	Destinations        []GroupRef          `json:"destinations,omitempty"`
	SourceResource      *Resource           `json:"sourceResource,omitempty"`
	DestinationResource *Resource           `json:"destinationResource,omitempty"`
	AuthorizedGroups    map[string][]string `json:"authorized_groups,omitempty"`
}

// PortRange is a rule's port range.
type PortRange struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Resource is a network resource a rule applies to.
type Resource struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// PolicyUpdate is the body of POST and PUT /api/policies (PolicyUpdate in
// the OpenAPI description): rules name groups by id.
type PolicyUpdate struct {
	Name                string       `json:"name"`
	Description         string       `json:"description"`
	Enabled             bool         `json:"enabled"`
	Rules               []RuleUpdate `json:"rules"`
	SourcePostureChecks []string     `json:"source_posture_checks,omitempty"`
}

// RuleUpdate is a rule in the write form.
type RuleUpdate struct {
	ID                  string              `json:"id,omitempty"`
	Name                string              `json:"name"`
	Description         string              `json:"description"`
	Enabled             bool                `json:"enabled"`
	Action              string              `json:"action"`
	Protocol            string              `json:"protocol"`
	Bidirectional       bool                `json:"bidirectional"`
	Ports               []string            `json:"ports,omitempty"`
	PortRanges          []PortRange         `json:"port_ranges,omitempty"`
	Sources             []string            `json:"sources,omitempty"`
	Destinations        []string            `json:"destinations,omitempty"`
	SourceResource      *Resource           `json:"sourceResource,omitempty"`
	DestinationResource *Resource           `json:"destinationResource,omitempty"`
	AuthorizedGroups    map[string][]string `json:"authorized_groups,omitempty"`
}

// Update turns a policy as read into the body that writes it back
// unchanged: every field the write accepts is kept, group objects become
// ids.
func (p Policy) Update() PolicyUpdate {
	u := PolicyUpdate{Name: p.Name, Description: p.Description, Enabled: p.Enabled, SourcePostureChecks: p.SourcePostureChecks}
	u.Rules = make([]RuleUpdate, 0, len(p.Rules))
	for _, r := range p.Rules {
		u.Rules = append(u.Rules, RuleUpdate{
			ID: r.ID, Name: r.Name, Description: r.Description, Enabled: r.Enabled, Action: r.Action,
			Protocol: r.Protocol, Bidirectional: r.Bidirectional, Ports: r.Ports, PortRanges: r.PortRanges,
			Sources: groupIDs(r.Sources), Destinations: groupIDs(r.Destinations),
			SourceResource: r.SourceResource, DestinationResource: r.DestinationResource, AuthorizedGroups: r.AuthorizedGroups,
		})
	}
	return u
}

func groupIDs(gs []GroupRef) []string {
	if gs == nil {
		return nil
	}
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.ID
	}
	return out
}

// ListPolicies returns GET /api/policies.
func (c *Client) ListPolicies(ctx context.Context) ([]Policy, error) {
	var out []Policy
	return out, c.getJSON(ctx, "/policies", &out)
}

// CreatePolicy posts a new policy and returns it as stored.
func (c *Client) CreatePolicy(ctx context.Context, u PolicyUpdate) (Policy, error) {
	var p Policy
	return p, c.send(ctx, http.MethodPost, "/policies", u, &p)
}

// UpdatePolicy replaces policy id.
func (c *Client) UpdatePolicy(ctx context.Context, id string, u PolicyUpdate) (Policy, error) {
	var p Policy
	return p, c.send(ctx, http.MethodPut, "/policies/"+url.PathEscape(id), u, &p)
}

// DeletePolicy deletes policy id.
func (c *Client) DeletePolicy(ctx context.Context, id string) error {
	return c.send(ctx, http.MethodDelete, "/policies/"+url.PathEscape(id), nil, nil)
}

// PostureCheck is the part of GET /api/posture-checks birdseye reads.
type PostureCheck struct {
	ID          string                    `json:"id"`
	Name        string                    `json:"name"`
	Description string                    `json:"description"`
	Checks      map[string]map[string]any `json:"checks"`
}

// ListPostureChecks returns GET /api/posture-checks.
func (c *Client) ListPostureChecks(ctx context.Context) ([]PostureCheck, error) {
	var out []PostureCheck
	return out, c.getJSON(ctx, "/posture-checks", &out)
}
