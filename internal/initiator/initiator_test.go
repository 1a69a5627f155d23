package initiator

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird"
)

type dir struct {
	users []netbird.User
	keys  []netbird.SetupKey
	err   error
	calls int
}

func (d *dir) ListUsers(context.Context) ([]netbird.User, error) {
	d.calls++
	return d.users, d.err
}
func (d *dir) ListSetupKeys(context.Context) ([]netbird.SetupKey, error) { return d.keys, d.err }

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestLabelsFollowTheOldToolsOrder(t *testing.T) {
	d := &dir{
		users: []netbird.User{{ID: "u1", Name: "birdseye-bot"}, {ID: "u2", Email: "ops@example.com"}, {ID: "shared", Name: "a user"}},
		keys:  []netbird.SetupKey{{ID: "k1", Name: "office-2026"}, {ID: "shared", Name: "a key"}},
	}
	r := New(d, quiet())
	evs := []event.Event{
		{InitiatorName: "Admin", InitiatorEmail: "admin@x", InitiatorID: "k1"},
		{InitiatorEmail: "admin@x"},
		{InitiatorID: "sys"},
		{InitiatorID: ""},
		{InitiatorID: "k1"},
		{InitiatorID: "u1"},
		{InitiatorID: "u2"},
		{InitiatorID: "shared"},
		{InitiatorID: "0255b0f6-0321-4d38-b1e0-1246b750ba1b"},
	}
	r.Resolve(t.Context(), evs)
	var got []string
	for _, e := range evs {
		got = append(got, e.InitiatorLabel)
	}
	require.Equal(t, []string{"Admin", "admin@x", "system", "system", "setup-key:office-2026", "birdseye-bot", "ops@example.com", "setup-key:a key", "id:0255b0f6-032"}, got)
}

func TestUnknownIDsRefreshAtMostOncePerMinute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := &dir{}
		r := New(d, quiet())
		r.Resolve(t.Context(), []event.Event{{InitiatorID: "newkey"}})
		require.Equal(t, 1, d.calls)

		d.keys = []netbird.SetupKey{{ID: "newkey", Name: "ci"}}
		evs := []event.Event{{InitiatorID: "newkey"}}
		r.Resolve(t.Context(), evs)
		require.Equal(t, 1, d.calls, "no second lookup within a minute")
		require.Equal(t, "id:newkey", evs[0].InitiatorLabel)

		time.Sleep(MinRefresh)
		r.Resolve(t.Context(), evs)
		require.Equal(t, 2, d.calls)
		require.Equal(t, "setup-key:ci", evs[0].InitiatorLabel)

		time.Sleep(2 * MinRefresh)
		r.Resolve(t.Context(), evs)
		require.Equal(t, 2, d.calls, "known ids need no lookup")
	})
}

func TestALookupFailureKeepsTheOldNamesAndDoesNotStopAnything(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := &dir{keys: []netbird.SetupKey{{ID: "k1", Name: "office"}}}
		r := New(d, quiet())
		evs := []event.Event{{InitiatorID: "k1"}, {InitiatorID: "other"}}
		r.Resolve(t.Context(), evs)
		require.Equal(t, "setup-key:office", evs[0].InitiatorLabel)
		d.err = errors.New("boom")
		time.Sleep(MinRefresh)
		r.Resolve(t.Context(), evs)
		require.Equal(t, "setup-key:office", evs[0].InitiatorLabel)
		require.Equal(t, "id:other", evs[1].InitiatorLabel)
	})
}

// For events read from the store, names are filled in as the API fills
// them (people, and service users by name: v0.77.1 does), and a change to
// users refreshes them.
func TestFillNamesNamesUsersAndFollowsUserChanges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := &dir{users: []netbird.User{{ID: "u1", Name: "Alice", Email: "alice@example.com"}, {ID: "bot", Name: "ci-bot", IsServiceUser: true}}}
		r := New(d, quiet())
		r.FillNames = true
		evs := []event.Event{{InitiatorID: "u1", ActivityCode: "group.add"}, {InitiatorID: "bot", ActivityCode: "group.add"}}
		r.Resolve(t.Context(), evs)
		require.Equal(t, "Alice", evs[0].InitiatorName)
		require.Equal(t, "alice@example.com", evs[0].InitiatorEmail)
		require.Equal(t, "ci-bot", evs[1].InitiatorName, "the API names a service user")
		require.Empty(t, evs[1].InitiatorEmail)
		require.Equal(t, "ci-bot", evs[1].InitiatorLabel)

		d.users[0].Name = "Alice Smith"
		time.Sleep(MinRefresh)
		renamed := []event.Event{{InitiatorID: "u1", ActivityCode: "user.role.update"}}
		r.Resolve(t.Context(), renamed)
		require.Equal(t, "Alice Smith", renamed[0].InitiatorName, "a user event refreshes the names")
	})
}

// An event about a user of the account gets the user's e-mail and name in
// meta, as the API adds them; meta keys come in the API's (sorted) order;
// an id never seen before refreshes the names at once, and only once.
func TestFillNamesAddsTheTargetUserAndFollowsANewUserSoon(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := &dir{users: []netbird.User{{ID: "u1", Name: "Alice", Email: "alice@example.com"}}}
		r := New(d, quiet())
		r.FillNames = true
		evs := []event.Event{{InitiatorID: "u1", TargetID: "u1", ActivityCode: "personal.access.token.create",
			Meta: event.Meta{{Key: "name", Value: "t"}, {Key: "is_service_user", Value: "false"}}}}
		r.Resolve(t.Context(), evs)
		require.Equal(t, event.Meta{{Key: "email", Value: "alice@example.com"}, {Key: "is_service_user", Value: "false"},
			{Key: "name", Value: "t"}, {Key: "username", Value: "Alice"}}, evs[0].Meta)

		d.users = append(d.users, netbird.User{ID: "bot", Name: "deploy-bot", IsServiceUser: true})
		first := []event.Event{{InitiatorID: "bot", ActivityCode: "group.add"}}
		r.Resolve(t.Context(), first)
		require.Equal(t, "deploy-bot", first[0].InitiatorName, "named at once, not after a minute")
		calls := d.calls
		for range 3 {
			r.Resolve(t.Context(), []event.Event{{InitiatorID: "gone", ActivityCode: "group.add"}})
		}
		require.Equal(t, calls+1, d.calls, "an id that stays unknown refreshes once, then by MinRefresh")
		time.Sleep(MinRefresh)
		r.Resolve(t.Context(), []event.Event{{InitiatorID: "gone", ActivityCode: "group.add"}})
		require.Equal(t, calls+2, d.calls)
	})
}
