package watch

import (
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/schedule"
)

// With WATCH_DIGEST the expiry alerts wait for the morning: one message
// lists everything within the lead time, soonest first, with owners and
// where to renew; other watch events still go out at once; a restart
// neither repeats nor skips a morning.
func TestTheDigestListsEveryExpiryInOneMorningMessage(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	morning, err := schedule.Parse("0 8 * * *")
	require.NoError(t, err)
	start := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC) // 10:00 in Berlin: today's digest is gone
	a := &api{
		keys: []netbird.SetupKey{
			{ID: "k1", Name: "office", Type: "reusable", Valid: true, Expires: start.Add(3 * 24 * time.Hour)},
			{ID: "k2", Name: "lab", Type: "reusable", Valid: true, UsageLimit: 10, UsedTimes: 9},
			{ID: "k3", Name: "later", Type: "reusable", Valid: true, Expires: start.AddDate(0, 1, 0)},
		},
		invites: []netbird.Invite{{ID: "i1", Email: "new@example.com", CreatedAt: start.Add(-40 * time.Hour), ExpiresAt: start.Add(32 * time.Hour)}},
		users:   []netbird.User{{ID: "u1", Name: "Waiting User", PendingApproval: true}},
	}
	file := filepath.Join(t.TempDir(), "watch.json")
	out := &sinkRec{}
	loop := func() *Loop {
		return New(Config{Interval: time.Minute, SlowEvery: 15 * time.Minute, File: file, Rules: rules, Digest: morning, Loc: berlin},
			a, out, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
	l := loop()
	require.NoError(t, l.Once(t.Context(), start))
	require.Equal(t, []string{CodeUserApproval}, out.codes(), "not an expiry: at once")
	require.NoError(t, l.Once(t.Context(), start.Add(10*time.Hour)))
	require.Len(t, out.evs, 1, "the expiries wait for the morning")

	next := time.Date(2026, 12, 6, 7, 0, 0, 0, time.UTC) // 08:00 in Berlin
	require.NoError(t, l.Once(t.Context(), next.Add(-time.Minute)))
	require.Len(t, out.evs, 1)
	require.NoError(t, l.Once(t.Context(), next))
	require.Equal(t, []string{CodeUserApproval, CodeDigest}, out.codes())
	d := out.evs[1]
	require.Equal(t, "3 expiring within 7 days: 2 setup keys, 1 invite", d.Activity)
	var lines []string
	for _, f := range d.Meta {
		lines = append(lines, f.Key+" = "+f.Value)
	}
	require.Equal(t, []string{
		"invite: new@example.com = expires in 10h (2026-12-06 17:00:00 UTC); renew: /team/users",
		"setup key: office = expires in 2d2h (2026-12-08 09:00:00 UTC); renew: /setup-keys",
		"setup key: lab = 1 of 10 uses left; renew: /setup-keys",
	}, lines, "soonest first; the uses left last")

	require.NoError(t, l.Once(t.Context(), next.Add(time.Minute)))
	out2 := len(out.evs)
	l = loop() // a restart within the morning
	require.NoError(t, l.Once(t.Context(), next.Add(5*time.Minute)))
	require.Len(t, out.evs, out2, "no second digest after a restart")

	require.NoError(t, l.Once(t.Context(), next.Add(24*time.Hour)))
	require.Equal(t, CodeDigest, out.evs[len(out.evs)-1].ActivityCode, "the next morning, what still expires")
	require.Equal(t, "2 expiring within 7 days: 2 setup keys", out.evs[len(out.evs)-1].Activity, "the invite has lapsed")

	a.keys, a.invites = nil, nil
	told := len(out.evs)
	require.NoError(t, l.Once(t.Context(), next.Add(48*time.Hour)))
	require.Len(t, out.evs, told, "nothing expires: no message")
}

// What expires within the lead time is a gauge by kind, every round,
// digest or not: an alert rule can watch it.
func TestWhatExpiresSoonIsAGaugeByKind(t *testing.T) {
	start := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	a := &api{keys: []netbird.SetupKey{
		{ID: "k1", Name: "office", Type: "reusable", Valid: true, Expires: start.Add(3 * 24 * time.Hour)},
		{ID: "k2", Name: "lab", Type: "reusable", Valid: true, UsageLimit: 10, UsedTimes: 9},
	}}
	m := metrics.New()
	l := New(Config{Interval: time.Minute, SlowEvery: 15 * time.Minute, File: filepath.Join(t.TempDir(), "watch.json"), Rules: rules, Metrics: m},
		a, &sinkRec{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, l.Once(t.Context(), start))
	var b strings.Builder
	m.WritePrometheus(&b)
	require.Contains(t, b.String(), `netbird_expiring_soon{kind="setup_key"} 2`)
	require.Contains(t, b.String(), `netbird_expiring_soon{kind="access_token"} 0`)
	a.keys = nil
	require.NoError(t, l.Once(t.Context(), start.Add(time.Minute)))
	b.Reset()
	m.WritePrometheus(&b)
	require.Contains(t, b.String(), `netbird_expiring_soon{kind="setup_key"} 0`)
}
