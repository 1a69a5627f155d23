package watch

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird"
)

func created(code, target, by string) event.Event {
	return event.Event{ActivityCode: code, TargetID: target, InitiatorID: "u-" + by, InitiatorLabel: by}
}

// An invite lives three days: it is warned about once, a day before it
// expires, naming who sent it (from the audit log's
// user.invite.link.create) and where to send it again.
func TestAnInviteIsWarnedAboutADayAheadNamingItsInviter(t *testing.T) {
	a := &api{}
	out := &sinkRec{}
	l := newLoop(t, a, out, "")
	require.NoError(t, l.Once(t.Context(), t0))
	inv := netbird.Invite{ID: "inv1", Email: "new@example.com", Name: "New Person", Role: "user", CreatedAt: t0, ExpiresAt: t0.Add(72 * time.Hour)}
	a.invites = []netbird.Invite{inv}
	l.Resolve(t.Context(), []event.Event{created("user.invite.link.create", "inv1", "Alice Admin")}) // the poller's resolver chain
	now := t0.Add(time.Minute)
	require.NoError(t, l.Once(t.Context(), now), "the invite event makes the round read invites at once")
	require.Empty(t, out.codes(), "three days: not yet (a seven-day warning is longer than its life)")
	now = t0.Add(49 * time.Hour)
	require.NoError(t, l.Once(t.Context(), now))
	require.Equal(t, []string{CodeInviteExpiring}, out.codes())
	e := out.evs[0]
	require.Equal(t, "Invite expires in 23h", e.Activity)
	require.Equal(t, "Alice Admin", e.Meta.Get("invited_by"))
	require.Equal(t, "new@example.com", e.Meta.Get("email"))
	require.Contains(t, e.Meta.Get("renew"), "Team → Users (/team/users): regenerate the invite link")
	require.NoError(t, l.Once(t.Context(), now.Add(16*time.Minute)))
	require.Len(t, out.evs, 1, "once")

	// Accepted (gone from the list): its inviter is forgotten.
	a.invites = nil
	l.stale.Store(true)
	require.NoError(t, l.Once(t.Context(), now.Add(17*time.Minute)))
	require.Empty(t, l.st.Owners)
}

func TestWithoutTheEmbeddedIdPInvitesAreNotAskedForAgain(t *testing.T) {
	a := &api{noInvites: true}
	l := newLoop(t, a, &sinkRec{}, "")
	for i := range 4 {
		require.NoError(t, l.Once(t.Context(), t0.Add(time.Duration(i)*16*time.Minute)))
	}
	require.Equal(t, 1, a.calls["invites"], "412: the server has no invites")
	require.Equal(t, 4, a.calls["proxy-tokens"])
}

func TestAProxyTokenIsWarnedAboutAtEachLeadTimeAndNeverIfItNeverExpires(t *testing.T) {
	a := &api{proxyTokens: []netbird.ProxyToken{
		{ID: "pt1", Name: "edge-proxy", CreatedAt: t0.AddDate(0, -1, 0), ExpiresAt: t0.Add(6 * 24 * time.Hour)},
		{ID: "pt2", Name: "forever", CreatedAt: t0.AddDate(0, -1, 0)},
		{ID: "pt3", Name: "revoked", CreatedAt: t0.AddDate(0, -1, 0), ExpiresAt: t0.Add(time.Hour), Revoked: true},
	}}
	out := &sinkRec{}
	l := newLoop(t, a, out, "")
	require.NoError(t, l.Once(t.Context(), t0))
	require.Equal(t, []string{CodeProxyTokenExpiring}, out.codes())
	require.Equal(t, "Proxy token expires in 6d", out.evs[0].Activity)
	require.Equal(t, "edge-proxy", out.evs[0].Meta.Get("name"))
	require.Contains(t, out.evs[0].Meta.Get("renew"), "Reverse Proxy → Self-Hosted Proxies")
	require.NoError(t, l.Once(t.Context(), t0.Add(4*24*time.Hour)))
	require.Len(t, out.evs, 1)
	require.NoError(t, l.Once(t.Context(), t0.Add(5*24*time.Hour+time.Hour)))
	require.Len(t, out.evs, 2, "and a day before")
	require.Equal(t, "Proxy token expires in 23h", out.evs[1].Activity)
}

// A reusable key with a usage limit is told once when a tenth of its uses
// is left, naming who made it; a raised limit starts over.
func TestAReusableKeyWhoseUsesAreNearlySpentIsToldOncePerLimit(t *testing.T) {
	key := netbird.SetupKey{ID: "k1", Name: "office", Type: "reusable", Valid: true, UsageLimit: 20, UsedTimes: 17}
	a := &api{keys: []netbird.SetupKey{key}}
	out := &sinkRec{}
	l := newLoop(t, a, out, "")
	l.Resolve(t.Context(), []event.Event{created("setupkey.add", "k1", "Bob Ops")})
	require.NoError(t, l.Once(t.Context(), t0))
	require.Empty(t, out.codes(), "3 of 20 left")
	a.keys[0].UsedTimes = 18
	require.NoError(t, l.Once(t.Context(), t0.Add(time.Minute)))
	require.Equal(t, []string{CodeKeyUsesSpent}, out.codes())
	require.Equal(t, "Setup key has 2 of 20 uses left", out.evs[0].Activity)
	require.Equal(t, "Bob Ops", out.evs[0].Meta.Get("created_by"))
	a.keys[0].UsedTimes = 19
	require.NoError(t, l.Once(t.Context(), t0.Add(2*time.Minute)))
	require.Len(t, out.evs, 1, "once per limit")
	a.keys[0].UsageLimit = 40
	require.NoError(t, l.Once(t.Context(), t0.Add(3*time.Minute)))
	require.Len(t, out.evs, 1, "21 of 40 left")
	a.keys[0].UsedTimes = 37
	require.NoError(t, l.Once(t.Context(), t0.Add(4*time.Minute)))
	require.Len(t, out.evs, 2)
	require.Equal(t, "Setup key has 3 of 40 uses left", out.evs[1].Activity)

	// One-off keys and keys without a limit are not counted.
	a.keys = []netbird.SetupKey{{ID: "k2", Name: "one-off", Type: "one-off", Valid: true, UsageLimit: 1}, {ID: "k3", Name: "unlimited", Type: "reusable", Valid: true, UsedTimes: 999}}
	require.NoError(t, l.Once(t.Context(), t0.Add(5*time.Minute)))
	require.Len(t, out.evs, 2)
	require.Empty(t, l.st.Spent, "k1 is gone: forgotten")
	require.Empty(t, l.st.Owners)
}

// Who made what birdseye did not see made is read from the audit log
// once, at the first round that misses an owner; the newest maker wins.
func TestOwnersOfWhatWasMadeBeforeAreReadFromTheAuditLogOnce(t *testing.T) {
	a := &api{keys: []netbird.SetupKey{{ID: "k1", Name: "lab", Type: "reusable", Valid: true, UsageLimit: 10, UsedTimes: 9}},
		invites: []netbird.Invite{{ID: "inv1", Email: "new@example.com", CreatedAt: t0.Add(-60 * time.Hour), ExpiresAt: t0.Add(12 * time.Hour)}},
		audit: []event.Event{created("user.invite.link.regenerate", "inv1", "Carol"), created("user.invite.link.create", "inv1", "Alice"),
			created("setupkey.add", "k1", "Bob")}}
	out := &sinkRec{}
	l := newLoop(t, a, out, "")
	require.NoError(t, l.Once(t.Context(), t0))
	require.Len(t, out.evs, 2)
	for _, e := range out.evs {
		switch e.ActivityCode {
		case CodeInviteExpiring:
			require.Equal(t, "Carol", e.Meta.Get("invited_by"), "who sent the link last")
		case CodeKeyUsesSpent:
			require.Equal(t, "Bob", e.Meta.Get("created_by"))
		}
	}
	a.keys = append(a.keys, netbird.SetupKey{ID: "k9", Name: "old", Type: "reusable", Valid: true})
	require.NoError(t, l.Once(t.Context(), t0.Add(time.Minute)))
	require.Equal(t, 1, a.calls["audit"], "once a process")
}

// A setup key's expiry names its creator, or says it is not known.
func TestAnExpiringKeyNamesWhoMadeItAndWhereToRenewIt(t *testing.T) {
	a := &api{keys: []netbird.SetupKey{{ID: "k1", Name: "office", Type: "reusable", Valid: true, Expires: t0.Add(3 * 24 * time.Hour)}}}
	out := &sinkRec{}
	l := newLoop(t, a, out, "")
	require.NoError(t, l.Once(t.Context(), t0))
	require.Equal(t, "not known (not in the audit log birdseye read)", out.evs[0].Meta.Get("created_by"))
	require.Contains(t, out.evs[0].Meta.Get("renew"), "Setup Keys (/setup-keys): create a new key")
}

// A watch.json written before the radar has no owners or spent keys: it
// is still used, not started afresh.
func TestAWatchFileOfBeforeTheRadarIsKept(t *testing.T) {
	file := t.TempDir() + "/watch.json"
	require.NoError(t, os.WriteFile(file, []byte(`{"peers":{},"pending":{"user:u1":true},"fired":{}}`), 0o600))
	a := &api{users: []netbird.User{{ID: "u1", PendingApproval: true}}}
	out := &sinkRec{}
	l := newLoop(t, a, out, file)
	require.NoError(t, l.Once(t.Context(), t0))
	require.Empty(t, out.codes(), "the pending user was told before")
}

// With an observer (the fleet metrics) each round's reading is handed
// over, the policies read with the routes; without one they are not read.
func TestAnObserverSeesEachRoundWithThePolicies(t *testing.T) {
	a := &api{peers: []netbird.Peer{{ID: "p1"}}, policies: []netbird.Policy{{ID: "pol", Enabled: true}}, routes: []netbird.Route{{ID: "rt", Enabled: true}}}
	var seen []Observation
	l := newLoop(t, a, &sinkRec{}, "")
	l.cfg.Observe = func(o Observation) { seen = append(seen, o) }
	require.NoError(t, l.Once(t.Context(), t0))
	require.NoError(t, l.Once(t.Context(), t0.Add(time.Minute)))
	require.Len(t, seen, 2)
	require.Len(t, seen[1].Policies, 1, "kept between the reads")
	require.Len(t, seen[1].Routes, 1)
	require.Len(t, seen[0].Peers, 1)
	require.Equal(t, 1, a.calls["policies"], "with the routes, every 15 minutes")

	b := &api{}
	require.NoError(t, newLoop(t, b, &sinkRec{}, "").Once(t.Context(), t0))
	require.Zero(t, b.calls["policies"], "no observer: no request")
}
