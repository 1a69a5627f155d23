package doctor

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/styliteag/birdseye/internal/netbird"
)

var errRoleUnreadable = errors.New("role not readable")

type user struct {
	Role      string `json:"role"`
	Name      string `json:"name"`
	IsCurrent bool   `json:"is_current"`
}

// tokenUser finds the user a token belongs to. /api/users/current answers
// 403 to every service user on v0.77.1, and operators use service users, so
// the user list comes first: its is_current marks the token's own user.
func tokenUser(ctx context.Context, c *netbird.Client) (user, error) {
	raw, err := c.GetRaw(ctx, "/users")
	if err != nil {
		return user{}, err
	}
	var all []user
	json.Unmarshal(raw, &all)
	for _, u := range all {
		if u.IsCurrent {
			return u, nil
		}
	}
	raw, err = c.GetRaw(ctx, "/users/current") // a server that does not mark it
	if err != nil {
		if netbird.KindOf(err) == netbird.KindAuth {
			return user{}, errRoleUnreadable
		}
		return user{}, err
	}
	var me user
	json.Unmarshal(raw, &me)
	return me, nil
}
