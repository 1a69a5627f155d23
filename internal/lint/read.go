package lint

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird"
)

// API is what the lint reads; *netbird.Client is one. Every request is a
// GET.
type API interface {
	ListPolicies(ctx context.Context) ([]netbird.Policy, error)
	ListGroups(ctx context.Context) ([]netbird.Group, error)
	ListPeers(ctx context.Context) ([]netbird.Peer, error)
	ListUsers(ctx context.Context) ([]netbird.User, error)
	ListTokens(ctx context.Context, userID string) ([]netbird.Token, error)
	ListSetupKeys(ctx context.Context) ([]netbird.SetupKey, error)
	ListPostureChecks(ctx context.Context) ([]netbird.PostureCheck, error)
	GetAccountSettings(ctx context.Context) (netbird.AccountSettings, error)
	GetRaw(ctx context.Context, path string) (json.RawMessage, error)
	ListAuditEventsOf(ctx context.Context, codes ...string) ([]event.Event, error)
}

// Read reads the account. What the token may not read (another user's
// tokens, say) is left out and said in gaps; the checks that need it then
// see less, and the report says so.
func Read(ctx context.Context, api API) (a *Account, gaps []string, err error) {
	a = &Account{Tokens: map[string][]netbird.Token{}}
	must := []struct {
		what string
		read func() error
	}{
		{"policies", func() (err error) { a.Policies, err = api.ListPolicies(ctx); return }},
		{"groups", func() (err error) { a.Groups, err = api.ListGroups(ctx); return }},
		{"peers", func() (err error) { a.Peers, err = api.ListPeers(ctx); return }},
		{"users", func() (err error) { a.Users, err = api.ListUsers(ctx); return }},
		{"setup keys", func() (err error) { a.SetupKeys, err = api.ListSetupKeys(ctx); return }},
		{"posture checks", func() (err error) { a.PostureChecks, err = api.ListPostureChecks(ctx); return }},
		{"account settings", func() (err error) { a.Settings, err = api.GetAccountSettings(ctx); return }},
		{"routes", func() error { return getList(ctx, api, "/routes", &a.Routes) }},
		{"nameservers", func() error { return getList(ctx, api, "/dns/nameservers", &a.Nameservers) }},
	}
	for _, m := range must {
		if err := m.read(); err != nil {
			return nil, nil, fmt.Errorf("read the %s: %w", m.what, err)
		}
	}
	denied := 0
	for _, u := range a.Users {
		ts, err := api.ListTokens(ctx, u.ID)
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		if err != nil {
			denied++
			continue
		}
		a.Tokens[u.ID] = ts
	}
	if denied > 0 {
		gaps = append(gaps, fmt.Sprintf("the access tokens of %d of %d users are not readable with this token (NetBird lets an admin not read the owner's, an auditor no one else's): the token checks see the rest", denied, len(a.Users)))
	}
	if a.PolicyEvents, err = api.ListAuditEventsOf(ctx, "policy.add", "policy.update"); err != nil {
		gaps = append(gaps, "the audit log is not readable ("+err.Error()+"): policy-disabled-long is not checked")
		a.PolicyEvents = nil
	} else if a.PolicyEvents == nil {
		a.PolicyEvents = []event.Event{} // read, and none: not the same as unread
	}
	return a, gaps, nil
}

func getList(ctx context.Context, api API, path string, v any) error {
	raw, err := api.GetRaw(ctx, path)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}
