package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/eventsdb"
	"github.com/styliteag/birdseye/internal/outbox"
	"github.com/styliteag/birdseye/internal/pgdsn"
)

// openEventsDB opens NetBird's activity store for EVENTS_SOURCE=db and
// picks the account; the caller falls back to the API when it fails.
func openEventsDB(ctx context.Context, cfg *config.Config, api accountLister, log *slog.Logger) (*eventsdb.Source, error) {
	path := cfg.Events.Path(cfg.Backup.Paths)
	key, err := cfg.Events.StoreKey()
	if err != nil {
		return nil, err
	}
	st, err := eventsdb.Open(path, key)
	if err != nil {
		if pgdsn.Is(path) {
			return nil, err // it names the server, without the password
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	path = st.Path() // a DSN without its password
	st.SetGapWait(cfg.Events.GapWait.D())
	account := cfg.Events.Account
	if account == "" {
		account = eventsdb.APIAccount(ctx, api) // the account the token belongs to
	}
	if account == "" {
		accounts, err := st.Accounts(ctx)
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(accounts) > 1 {
			log.Warn(st.Name()+" holds several accounts; reading the one with the most events (set EVENTS_DB_ACCOUNT to choose)", "account", accounts[0], "accounts", len(accounts))
		}
		if len(accounts) > 0 {
			account = accounts[0]
		}
	}
	log.Info("reading the audit events from "+st.Name(), "path", path, "account", account, "interval", cfg.Events.Interval.D())
	// The store key, tried on the deleted users once at start: without it
	// (or with another) their events name them "unknown", as NetBird does.
	if total, readable, err := st.DeletedUsers(ctx); err == nil && total > readable {
		hint := "set NB_DATASTORE_ENCRYPTION_KEY (or NB_MANAGEMENT_CONFIG) to NetBird's DataStoreEncryptionKey"
		if key != "" {
			hint = "NB_DATASTORE_ENCRYPTION_KEY is not the key of this store: use the DataStoreEncryptionKey of NetBird's management.json"
		}
		log.Warn("the store key does not open the deleted users of "+st.Name()+": their events name them unknown", "deleted_users", total, "readable", readable, "hint", hint)
	}
	return &eventsdb.Source{Store: st, Account: account, Log: log}, nil
}

// accountLister reads /api/accounts.
type accountLister interface {
	GetRaw(ctx context.Context, path string) (json.RawMessage, error)
}

// heldBack is the store source's Room: the room the machine sinks have,
// saying once when a sink that keeps up, only slower, holds the reading
// back (the delay grows, nothing is lost) and once when it no longer does.
func heldBack(drainers []*outbox.Drainer, log *slog.Logger) func() int {
	held := false
	return func() int {
		room, sink := outbox.Fullest(drainers)
		switch {
		case room == 0 && !held:
			held = true
			log.Warn("reading the activity store is held back: a sink takes the events slower than they come; they wait in the store, none is lost", "sink", sink)
		case room != 0 && held:
			held = false
			log.Info("reading the activity store goes on: the sinks have room again")
		}
		return room
	}
}
