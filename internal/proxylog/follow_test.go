package proxylog

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/netbird/nbtest"
)

func TestPollReadsEachEntryOnceAcrossPagesPollsAndRestarts(t *testing.T) {
	f, c := nbtest.Start(t, fake.AuditorToken)
	f.AddProxyLogs(entries(5)...)
	first, cur, err := Newest(t.Context(), c, netbird.ProxyLogFilter{}, 2, time.Now())
	require.NoError(t, err)
	require.Equal(t, []string{"/d/3", "/d/4"}, paths(first), "the newest two, oldest first")

	// 250 more, all in one second (a busy service), read one page a poll.
	burst := t0.Add(time.Hour).Add(300 * time.Millisecond)
	var more []fake.Access
	for i := range 250 {
		more = append(more, fake.Access{Time: burst, Method: "GET", Host: "h", Path: fmt.Sprintf("/b/%d", i), Status: 200})
	}
	f.AddProxyLogs(more...)
	seen := map[string]bool{}
	for poll := 0; poll < 5; poll++ {
		got, next, err := Poll(t.Context(), c, netbird.ProxyLogFilter{}, cur, 1)
		require.NoError(t, err)
		require.LessOrEqual(t, len(got), 100, "one page a poll")
		for _, l := range got {
			require.False(t, seen[l.ID], "repeated %s", l.ID)
			seen[l.ID] = true
		}
		// A restart between polls: the cursor goes through the state file as JSON.
		b, err := json.Marshal(next)
		require.NoError(t, err)
		cur = Cursor{}
		require.NoError(t, json.Unmarshal(b, &cur))
	}
	require.Len(t, seen, 250, "the whole burst, nothing lost")

	// A late arrival in the same second as the cursor is still new.
	f.AddProxyLogs(fake.Access{Time: burst.Add(-100 * time.Millisecond), Method: "GET", Host: "h", Path: "/late", Status: 200},
		fake.Access{Time: burst.Add(2 * time.Second), Method: "GET", Host: "h", Path: "/next", Status: 200})
	got, cur, err := Poll(t.Context(), c, netbird.ProxyLogFilter{}, cur, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"/late", "/next"}, paths(got))
	got, _, err = Poll(t.Context(), c, netbird.ProxyLogFilter{}, cur, 10)
	require.NoError(t, err)
	require.Empty(t, got, "nothing twice")
}

func TestNewestOnAnEmptyLogFollowsFromNow(t *testing.T) {
	f, c := nbtest.Start(t, fake.AuditorToken)
	now := time.Now().UTC()
	got, cur, err := Newest(t.Context(), c, netbird.ProxyLogFilter{}, 10, now)
	require.NoError(t, err)
	require.Empty(t, got)
	f.AddProxyLogs(fake.Access{Time: now.Add(-time.Hour), Path: "/before", Status: 200}, fake.Access{Time: now.Add(time.Second), Path: "/after", Status: 200})
	got, _, err = Poll(t.Context(), c, netbird.ProxyLogFilter{}, cur, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"/after"}, paths(got))
}

func TestLineAtAGlance(t *testing.T) {
	l := netbird.ProxyLog{Timestamp: t0, StatusCode: 401, Method: "POST", Host: "grafana.example.com", Path: "/login",
		SourceIP: "198.51.100.9", CountryCode: "DE", DurationMS: 3, Reason: "authentication failed"}
	require.Equal(t, "2026-11-23 08:00:00 401 POST grafana.example.com/login from 198.51.100.9 (DE) 3ms: authentication failed", Line(l, time.UTC))
}

func paths(ls []netbird.ProxyLog) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Path)
	}
	return out
}
