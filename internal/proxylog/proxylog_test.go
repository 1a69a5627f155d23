package proxylog

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/netbird/nbtest"
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func entries(n int) []fake.Access {
	var out []fake.Access
	for i := range n {
		a := fake.Access{Time: t0.Add(time.Duration(i) * time.Second), Method: "GET", Host: "grafana.example.com",
			Path: fmt.Sprintf("/d/%d", i), Status: 200, SourceIP: "203.0.113.7", UserID: "alice", AuthMethod: "oidc"}
		if i%4 == 0 {
			a.Status, a.Reason, a.UserID, a.AuthMethod = 401, "authentication failed", "", ""
		}
		out = append(out, a)
	}
	return out
}

func TestListPagesWithinTheServerCapNewestFirst(t *testing.T) {
	f, c := nbtest.Start(t, fake.AuditorToken)
	f.AddProxyLogs(entries(250)...)
	got, err := List(t.Context(), c, netbird.ProxyLogFilter{}, 230)
	require.NoError(t, err)
	require.Len(t, got, 230)
	for i := 1; i < len(got); i++ {
		require.True(t, got[i-1].Timestamp.After(got[i].Timestamp), "newest first, no repeats: %d", i)
	}
	require.Equal(t, "/d/249", got[0].Path)
	var sizes []string
	for _, r := range f.Requests() {
		if r.Path == "/api/events/proxy" {
			q, _ := url.ParseQuery(r.Query)
			sizes = append(sizes, q.Get("page")+"x"+q.Get("page_size"))
		}
	}
	require.Equal(t, []string{"1x100", "2x100", "3x100"}, sizes, "never more than the server's cap of 100")
}

func TestListSendsTheFiltersToTheServer(t *testing.T) {
	f, c := nbtest.Start(t, fake.AuditorToken)
	f.AddProxyLogs(entries(20)...)
	got, err := List(t.Context(), c, netbird.ProxyLogFilter{Status: "failed", Host: "grafana.example.com", Start: t0.Add(5 * time.Second)}, 100)
	require.NoError(t, err)
	require.Len(t, got, 3, "entries 8, 12 and 16 are refused logins after the start")
	for _, l := range got {
		require.Equal(t, 401, l.StatusCode)
		require.Equal(t, "authentication failed", l.Reason)
	}
	r := f.Requests()[len(f.Requests())-1]
	q, _ := url.ParseQuery(r.Query)
	require.Equal(t, "failed", q.Get("status"))
	require.Equal(t, "2026-11-23T08:00:05Z", q.Get("start_date"))
	require.Equal(t, "desc", q.Get("sort_order"))
}

func TestAnEmptyLogIsAnEmptyListNotAnError(t *testing.T) {
	_, c := nbtest.Start(t, fake.AuditorToken) // the real sample: {"data":[],…,"total_pages":0}
	got, err := List(t.Context(), c, netbird.ProxyLogFilter{}, 10)
	require.NoError(t, err)
	require.Empty(t, got)
}

func TestTableAtAGlance(t *testing.T) {
	f, c := nbtest.Start(t, fake.AuditorToken)
	f.AddProxyLogs(entries(2)...)
	got, err := List(t.Context(), c, netbird.ProxyLogFilter{}, 10)
	require.NoError(t, err)
	var b bytes.Buffer
	Table(&b, got, time.UTC)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	require.Len(t, lines, 3)
	require.Regexp(t, `^2026-11-23 08:00:01\s+200\s+GET\s+grafana\.example\.com\s+/d/1\s+203\.0\.113\.7\s+alice\s+oidc\s+12\s*$`, lines[1])
	require.Regexp(t, `^2026-11-23 08:00:00\s+401\s+GET\s+grafana\.example\.com\s+/d/0\s+203\.0\.113\.7\s+-\s+-\s+12\s+authentication failed$`, lines[2])
}
