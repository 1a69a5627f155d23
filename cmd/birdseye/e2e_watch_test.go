package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
)

func routerPeers(connected bool, lastSeen time.Time) string {
	return fmt.Sprintf(`[{"id":"r1","name":"office-router","ip":"100.77.0.1","connected":%t,"last_seen":%q,
	  "groups":[{"id":"g-routers","name":"Routers"}]},
	 {"id":"p2","name":"laptop","ip":"100.77.0.2","connected":false,"last_seen":"2026-01-01T00:00:00Z","groups":[]}]`, connected, lastSeen.Format(time.RFC3339))
}

// The watch runs in the daemon: a routing peer that stays down and a setup
// key nearing expiry are reported once each, on stdout and in Mattermost,
// not again after a restart; the reconnection follows.
func TestE2EWatchReportsARoutingPeerDownAndAnExpiringKeyOnce(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	now := time.Now().UTC()
	f.SetRoutes(`[{"id":"rt1","network_id":"office","enabled":true,"peer":"","peer_groups":["g-routers"]}]`)
	f.SetPeers(routerPeers(false, now.Add(-time.Hour)))
	f.SetSetupKeys(fmt.Sprintf(`[{"id":"k1","name":"office-2026","type":"reusable","valid":true,"revoked":false,"state":"valid","auto_groups":[],
	  "expires":%q,"usage_limit":0,"used_times":1}]`, now.Add(3*24*time.Hour).Format(time.RFC3339)))
	mm, hookURL := newMattermost(t)
	sf := filepath.Join(t.TempDir(), "state.json")
	env := baseEnv(t, api, sf, "WATCH=on", "WATCH_INTERVAL=0.05", "WATCH_PEER_DOWN_MINUTES=5", "MATTERMOST_WEBHOOK_URL="+hookURL)
	d := start(t, env)
	d.waitFor("two watch lines", func() bool { return len(d.stdout()) >= 2 })
	waitMorePolls(d, f, "/api/peers", 5)
	out := strings.Join(d.stdout(), "\n")
	require.Len(t, d.stdout(), 2, out)
	require.Contains(t, out, "birdseye.peer.disconnected    birdseye              Routing peer disconnected 1h ago  target=r1  name='office-router' ip='100.77.0.1'")
	require.Contains(t, out, "birdseye.setupkey.expiring    birdseye              Setup key expires in 3d  target=k1  name='office-2026'")
	require.NotContains(t, out, "laptop", "a laptop is not watched")
	waitPosts(t, d, mm, 1)
	post := mm.Posts()[0].Text
	require.Contains(t, post, "**Routing peer disconnected 1h ago**: office-router · `100.77.0.1`")
	require.Contains(t, post, "**Setup key expires in 3d**: office-2026")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())

	d = start(t, env)
	waitMorePolls(d, f, "/api/peers", 5)
	require.Empty(t, d.stdout(), "nothing again after a restart")
	f.SetPeers(routerPeers(true, time.Now()))
	d.waitFor("the reconnection", func() bool { return len(d.stdout()) == 1 })
	require.Contains(t, d.stdout()[0], "birdseye.peer.reconnected     birdseye              Routing peer reconnected after 1h")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
}

// WATCH_DIGEST holds the expiry alerts for one message at its times; an
// approval still goes out at once.
func TestE2EWatchDigestSendsTheExpiriesAsOneMessage(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	now := time.Now().UTC()
	f.SetSetupKeys(fmt.Sprintf(`[{"id":"k1","name":"office-2026","type":"reusable","valid":true,"revoked":false,"state":"valid","auto_groups":[],
	  "expires":%q,"usage_limit":0,"used_times":1},
	 {"id":"k2","name":"lab","type":"reusable","valid":true,"revoked":false,"state":"valid","auto_groups":[],"usage_limit":10,"used_times":9}]`,
		now.Add(3*24*time.Hour).Format(time.RFC3339)))
	f.SetStatic("/api/users/invites", fmt.Sprintf(`[{"id":"inv1","email":"new@example.com","name":"New","role":"user","auto_groups":[],
	  "created_at":%q,"expires_at":%q,"expired":false}]`, now.Add(-60*time.Hour).Format(time.RFC3339), now.Add(12*time.Hour).Format(time.RFC3339)))
	mm, hookURL := newMattermost(t)
	env := baseEnv(t, api, filepath.Join(t.TempDir(), "state.json"), "WATCH=on", "WATCH_INTERVAL=0.05", "WATCH_DIGEST=@every 1s", "MATTERMOST_WEBHOOK_URL="+hookURL)
	d := start(t, env)
	d.waitLog("the expiry alerts go out as one digest")
	d.waitFor("the digest", func() bool { return strings.Contains(strings.Join(d.stdout(), "\n"), "birdseye.expiry.digest") })
	out := strings.Join(d.stdout(), "\n")
	require.Contains(t, out, "3 expiring within 7 days: 2 setup keys, 1 invite")
	require.Contains(t, out, "invite: new@example.com='expires in 12h")
	require.NotContains(t, out, "birdseye.setupkey.expiring", "no alert of its own")
	require.NotContains(t, out, "birdseye.invite.expiring")
	waitPosts(t, d, mm, 1)
	require.Contains(t, mm.Posts()[0].Text, "**3 expiring within 7 days: 2 setup keys, 1 invite**")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())

	d = start(t, baseEnv(t, api, filepath.Join(t.TempDir(), "state.json"), "WATCH=on", "WATCH_DIGEST=at eight"))
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), `WATCH_DIGEST="at eight" is not a schedule`)
}

// The expiry radar in the daemon: an invite a day from lapsing (its
// inviter from the audit log), a proxy token and a key with one use left
// are told once each, with their owners and where to renew; a restart
// tells none again.
func TestE2EWatchExpiryRadarTellsEachOnceNamingOwners(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	f.Add(event.Event{ActivityCode: "user.invite.link.create", Activity: "User invite link created", InitiatorID: "u-alice", InitiatorLabel: "Alice Admin",
		TargetID: "inv1", Timestamp: time.Now().UTC().Format(time.RFC3339)})
	now := time.Now().UTC()
	f.SetStatic("/api/users/invites", fmt.Sprintf(`[{"id":"inv1","email":"new@example.com","name":"New Person","role":"user","auto_groups":[],
	  "created_at":%q,"expires_at":%q,"expired":false}]`, now.Add(-60*time.Hour).Format(time.RFC3339), now.Add(12*time.Hour).Format(time.RFC3339)))
	f.SetStatic("/api/reverse-proxies/proxy-tokens", fmt.Sprintf(`[{"id":"pt1","name":"edge-proxy","created_at":%q,"expires_at":%q,"revoked":false}]`,
		now.AddDate(0, -1, 0).Format(time.RFC3339), now.Add(3*24*time.Hour).Format(time.RFC3339)))
	f.SetSetupKeys(`[{"id":"k2","name":"lab","type":"reusable","valid":true,"revoked":false,"state":"valid","auto_groups":[],"usage_limit":10,"used_times":9}]`)
	env := baseEnv(t, api, filepath.Join(t.TempDir(), "state.json"), "WATCH=on", "WATCH_INTERVAL=0.05", "BACKFILL=10")
	d := start(t, env)
	d.waitFor("three radar lines", func() bool { return len(radarLines(d.stdout())) >= 3 })
	waitMorePolls(d, f, "/api/peers", 5)
	lines := strings.Join(radarLines(d.stdout()), "\n")
	require.Len(t, radarLines(d.stdout()), 3, lines)
	require.Contains(t, lines, "birdseye.invite.expiring")
	require.Contains(t, lines, "invited_by='Alice Admin'")
	require.Contains(t, lines, "Proxy token expires in 3d  target=pt1  name='edge-proxy'")
	require.Contains(t, lines, "Setup key has 1 of 10 uses left  target=k2  name='lab'")
	require.Contains(t, lines, "renew='Setup Keys (/setup-keys): create a new key, or a new one with a higher usage limit'")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())

	d = start(t, env)
	waitMorePolls(d, f, "/api/peers", 5)
	require.Empty(t, radarLines(d.stdout()), "nothing again after a restart")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
}

func radarLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.Contains(l, "birdseye.invite.") || strings.Contains(l, "birdseye.proxytoken.") || strings.Contains(l, "birdseye.setupkey.") {
			out = append(out, l)
		}
	}
	return out
}
