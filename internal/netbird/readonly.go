package netbird

import (
	"context"
	"encoding/json"
)

// ReadOnly is a client that can only read: it has no method that sends a
// write, so code handed one (the mirror's source) cannot change that
// account, and the compiler checks it.
type ReadOnly struct{ c *Client }

// ReadOnly gives the read half of the client.
func (c *Client) ReadOnly() ReadOnly { return ReadOnly{c} }

// GetRaw returns the body of GET /api<path> as it came.
func (r ReadOnly) GetRaw(ctx context.Context, path string) (json.RawMessage, error) {
	return r.c.GetRaw(ctx, path)
}

// BaseURL is the API's base URL.
func (r ReadOnly) BaseURL() string { return r.c.BaseURL() }

// Send performs a write on /api<path> with body as JSON (nil: none) and
// returns the answer as it came (empty for an empty answer).
func (c *Client) Send(ctx context.Context, method, path string, body any) (json.RawMessage, error) {
	var raw json.RawMessage
	if err := c.send(ctx, method, path, body, &raw); err != nil {
		return nil, err
	}
	return raw, nil
}
