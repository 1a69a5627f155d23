package main

import (
	"encoding/json"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/netbird/fake"
)

func TestE2EProxyLogsListShowsRefusedLoginsAndJSON(t *testing.T) {
	f, api := newAPI(t)
	now := time.Now().UTC().Truncate(time.Second)
	f.AddProxyLogs(
		fake.Access{Time: now.Add(-3 * time.Hour), Method: "GET", Host: "grafana.example.com", Path: "/old", Status: 401, SourceIP: "198.51.100.9", Reason: "authentication failed"},
		fake.Access{Time: now.Add(-20 * time.Minute), Method: "GET", Host: "grafana.example.com", Path: "/", Status: 200, SourceIP: "203.0.113.7", UserID: "alice", AuthMethod: "oidc"},
		fake.Access{Time: now.Add(-10 * time.Minute), Method: "POST", Host: "grafana.example.com", Path: "/login", Status: 401, SourceIP: "198.51.100.9", Reason: "authentication failed"},
	)
	d := start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "proxy-logs", "list", "--status", "failed", "--since", "1h")
	require.Equal(t, 0, d.waitExit(), d.logs())
	out := d.stdout()
	require.Len(t, out, 2, "a header and the one refused login of the last hour")
	require.Regexp(t, `^TIME\s+STATUS\s+METHOD\s+HOST`, out[0])
	require.Regexp(t, `401\s+POST\s+grafana\.example\.com\s+/login\s+198\.51\.100\.9\s+-\s+-\s+12\s+authentication failed$`, out[1])
	q, _ := url.ParseQuery(f.Requests()[len(f.Requests())-1].Query)
	require.Equal(t, "failed", q.Get("status"))
	require.NotEmpty(t, q.Get("start_date"))

	d = start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "proxy-logs", "list", "-o", "json")
	require.Equal(t, 0, d.waitExit(), d.logs())
	var logs []netbird.ProxyLog
	require.NoError(t, json.Unmarshal([]byte(strings.Join(d.stdout(), "\n")), &logs))
	require.Len(t, logs, 3)
	require.Equal(t, "/login", logs[0].Path, "newest first")
	require.Empty(t, f.Writes(), "a read command writes nothing")
}

func TestE2EProxyLogsListNamesTheBadFlag(t *testing.T) {
	_, api := newAPI(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--status", "ok"}, `--status="ok"; expected success or failed`},
		{[]string{"--status-code", "700"}, `--status-code=700; expected an HTTP status code from 100 to 599`},
		{[]string{"--method", "FETCH"}, `--method="FETCH"; expected one of GET, POST`},
		{[]string{"--until", "soon"}, `--until`},
		{[]string{"--limit", "20000"}, `--limit=20000 is out of range`},
	} {
		d := start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), append([]string{"proxy-logs", "list"}, tc.args...)...)
		require.Equal(t, 2, d.waitExit(), tc.args)
		require.Contains(t, d.logs(), tc.want, tc.args)
	}
}

func TestE2EProxyLogsTailFollowsNewRequestsOnceUntilSIGTERM(t *testing.T) {
	f, api := newAPI(t)
	now := time.Now().UTC()
	f.AddProxyLogs(
		fake.Access{Time: now.Add(-time.Minute), Method: "GET", Host: "grafana.example.com", Path: "/a", Status: 200, SourceIP: "203.0.113.7"},
		fake.Access{Time: now.Add(-30 * time.Second), Method: "GET", Host: "grafana.example.com", Path: "/b", Status: 200, SourceIP: "203.0.113.7"},
	)
	d := start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "proxy-logs", "tail", "--initial", "1", "--interval", "0.1")
	d.waitFor("the newest request", func() bool { return len(d.stdout()) == 1 })
	require.Contains(t, d.stdout()[0], "200 GET grafana.example.com/b from 203.0.113.7")

	f.AddProxyLogs(fake.Access{Time: time.Now().UTC(), Method: "POST", Host: "grafana.example.com", Path: "/login", Status: 401, SourceIP: "198.51.100.9", Reason: "authentication failed"})
	d.waitFor("the new request", func() bool { return len(d.stdout()) == 2 })
	require.Contains(t, d.stdout()[1], "401 POST grafana.example.com/login from 198.51.100.9 12ms: authentication failed")
	waitMorePolls(d, f, "/api/events/proxy", 3) // and nothing printed twice meanwhile
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
	require.Len(t, d.stdout(), 2, "each request once; /a was before --initial")
}

func TestE2ETailCommandsNameTheBadFlag(t *testing.T) {
	_, api := newAPI(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"proxy-logs", "tail", "--interval", "0"}, `--interval=0 is not a positive number of seconds`},
		{[]string{"traffic", "tail", "--initial=-1"}, `--initial=-1 is out of range; expected 0 to 10000`},
		{[]string{"traffic", "tail", "--type", "lost"}, `--type="lost"; expected started, ended or dropped`},
		{[]string{"proxy-logs", "tail", "--status", "bad"}, `--status="bad"; expected success or failed`},
	} {
		d := start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), tc.args...)
		require.Equal(t, 2, d.waitExit(), tc.args)
		require.Contains(t, d.logs(), tc.want, tc.args)
	}
}

func TestE2EProxyLogsOnAServerWithoutThemSaysWhy(t *testing.T) {
	f, api := newAPI(t)
	f.NoProxyLogs()
	for _, args := range [][]string{{"proxy-logs", "list"}, {"proxy-logs", "tail"}} {
		d := start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), args...)
		require.Equal(t, 1, d.waitExit())
		require.Contains(t, d.logs(), "this NetBird server has no reverse-proxy access log", args)
		require.Empty(t, d.stdout(), "no empty table that would read as 'no requests'")
	}
}
