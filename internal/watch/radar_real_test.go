package watch

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/netbird/realtest"
)

// Against a real v0.77.1 server: an invite link, a proxy token and a
// reusable key with one use left, made as an operator makes them, are
// read by the watch through the real API with an auditor's token, and
// each is told once with its owner from the real audit log. The rounds
// run at a later "now" (two days on): the server's own expiries are real.
func TestTheExpiryRadarReadsARealServer(t *testing.T) {
	s := realtest.Start(t)
	_, auditor := s.ServiceUser(t, "watcher", "auditor")
	var inv struct {
		ID string `json:"id"`
	}
	s.MustDo(t, s.OwnerToken, "POST", "/api/users/invites", map[string]any{"email": "new@example.com", "name": "New Person", "role": "user", "auto_groups": []string{}}, &inv)
	var tok struct {
		ID string `json:"id"`
	}
	s.MustDo(t, s.OwnerToken, "POST", "/api/reverse-proxies/proxy-tokens", map[string]any{"name": "edge-proxy", "expires_in": 8 * 24 * 3600}, &tok)
	keyID, key := s.SetupKey(t, "office", realtest.SetupKeyOptions{UsageLimit: 2})
	s.Enrol(t, key, false, "laptop-1")

	c, err := netbird.New(s.URL, auditor)
	require.NoError(t, err)
	out := &sinkRec{}
	l := New(Config{Interval: time.Minute, SlowEvery: 15 * time.Minute, File: filepath.Join(t.TempDir(), "watch.json"), Rules: rules},
		c, out, slog.New(slog.NewTextHandler(io.Discard, nil)))
	// The poller hands the audit events to the watch on its resolver chain.
	list, err := c.ListAuditEvents(t.Context(), func(event.ID) bool { return true })
	require.NoError(t, err)
	l.Resolve(t.Context(), list.Events)

	later := time.Now().Add(49 * time.Hour)
	require.NoError(t, l.Once(t.Context(), later))
	byCode := map[string]event.Event{}
	for _, e := range out.evs {
		byCode[e.ActivityCode] = e
	}
	require.ElementsMatch(t, []string{CodeInviteExpiring, CodeProxyTokenExpiring, CodeKeyUsesSpent}, out.codes(), "the key itself (valid for a day) has lapsed two days on: no expiry warning for it")

	e := byCode[CodeInviteExpiring]
	require.Equal(t, inv.ID, e.TargetID)
	require.Equal(t, "new@example.com", e.Meta.Get("email"))
	require.Equal(t, "Owner", e.Meta.Get("invited_by"), "from user.invite.link.create's initiator")
	require.Regexp(t, `^Invite expires in 2[23]h`, e.Activity)

	e = byCode[CodeProxyTokenExpiring]
	require.Equal(t, tok.ID, e.TargetID)
	require.Regexp(t, `^Proxy token expires in [56]d`, e.Activity)

	e = byCode[CodeKeyUsesSpent]
	require.Equal(t, keyID, e.TargetID)
	require.Equal(t, "Setup key has 1 of 2 uses left", e.Activity)
	require.Equal(t, "Owner", e.Meta.Get("created_by"))

	require.NoError(t, l.Once(t.Context(), later.Add(time.Minute)))
	require.Len(t, out.evs, 3, "each once")
}
