package eventsdb

import (
	"context"
	"encoding/json"
)

// accountLister reads the API; *netbird.Client is one.
type accountLister interface {
	GetRaw(ctx context.Context, path string) (json.RawMessage, error)
}

// APIAccount is the id of the account the API token sees, or "".
func APIAccount(ctx context.Context, api accountLister) string {
	if api == nil {
		return ""
	}
	raw, err := api.GetRaw(ctx, "/accounts")
	if err != nil {
		return ""
	}
	var accounts []struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &accounts) != nil || len(accounts) == 0 {
		return ""
	}
	return accounts[0].ID
}
