package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// doctor against a real server with the tokens operators use: the owner's
// and service users with the roles admin, user and auditor, and a token
// whose user was deleted.
func TestE2ERealDoctorWithEachRole(t *testing.T) {
	s := startReal(t)
	_, admin := s.ServiceUser(t, "bot-admin", "admin")
	_, user := s.ServiceUser(t, "bot-user", "user")
	_, auditor := s.ServiceUser(t, "bot-auditor", "auditor")
	goneID, gone := s.ServiceUser(t, "bot-gone", "auditor")
	s.MustDo(t, s.OwnerToken, "DELETE", "/api/users/"+goneID, nil, nil)
	doctor := func(api, adm string) (int, string) {
		return runTool(t, toolEnv(s.URL, "NB_API_KEY="+api, "NB_ADMIN_API_KEY="+adm, "STATE_FILE="+filepath.Join(t.TempDir(), "state.json")), "doctor")
	}
	for _, c := range []struct {
		role, token string
		code        int
		admin       string
	}{
		{"owner", s.OwnerToken, 0, "ok    NB_ADMIN_API_KEY       Owner, role owner"},
		{"admin", admin, 0, "ok    NB_ADMIN_API_KEY       bot-admin, role admin"},
		{"user", user, 1, `WARN  NB_ADMIN_API_KEY       bot-user has the role "user"`},
		{"auditor", auditor, 1, `WARN  NB_ADMIN_API_KEY       bot-auditor has the role "auditor"`},
	} {
		code, out := doctor(c.token, c.token)
		require.Equal(t, c.code, code, "%s: %s", c.role, out)
		require.Regexp(t, `ok    NB_API_KEY events      reads the audit log \(\d+ events, newest id \d+\)`, out, c.role)
		require.Contains(t, out, "ok    NB_API_KEY users", c.role)
		require.Contains(t, out, "ok    NetBird version        management 0.77.1 is the newest release known (release source off: from the server and the peers only)", c.role)
		require.Contains(t, out, "ok    traffic events         not on this server", c.role)
		require.Contains(t, out, c.admin, c.role)
	}
	code, out := doctor(gone, admin)
	require.Equal(t, 2, code, out)
	require.Contains(t, out, "FAIL  NB_API_KEY events")
	require.Contains(t, out, "ok    NB_ADMIN_API_KEY       bot-admin, role admin", "the other token is checked all the same")
	require.NotContains(t, out, gone, "the token is never printed")
}

// export against a real server: every endpoint read, or skipped with the
// server's reason (the owner's tokens are not an admin's to read; event
// streaming and notification channels are Cloud-only), nothing failed.
func TestE2ERealExportReadsEveryEndpoint(t *testing.T) {
	s := startReal(t)
	buildSourceAccount(t, s)
	_, admin := s.ServiceUser(t, "bot-admin", "admin")
	code, out := runTool(t, toolEnv(s.URL, "NB_ADMIN_API_KEY="+admin, "BACKUP_ZIP_PASSWORD=e2e export passphrase"), "export", "--out", t.TempDir())
	require.Equal(t, 0, code, out)
	line := regexp.MustCompile(`^(ok|skipped|failed)\s+(/api/\S+)\s+(\d+) items\s*(.*)$`)
	seen := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		seen[m[2]] = true
		switch {
		case m[1] == "failed":
			t.Errorf("export failed to read %s: %s", m[2], m[4])
		case m[1] == "skipped" && strings.HasSuffix(m[2], "/tokens"):
			require.Equal(t, "HTTP 403: admin role required to perform this action", m[4], "only the owner's tokens are refused to an admin")
		case m[1] == "skipped":
			require.Contains(t, []string{"/api/event-streaming", "/api/integrations/notifications/channels"}, m[2], "%s: %s", m[2], m[4])
			require.Equal(t, "HTTP 404: 404 page not found", m[4])
		}
	}
	for _, p := range []string{"/api/groups", "/api/peers", "/api/policies", "/api/routes", "/api/networks", "/api/dns/nameservers",
		"/api/setup-keys", "/api/posture-checks", "/api/users", "/api/accounts", "/api/dns/settings", "/api/networks/routers"} {
		require.True(t, seen[p], "%s exported", p)
	}
	require.Contains(t, out, "archive: ")

	code, out = runTool(t, toolEnv(s.URL, "NB_ADMIN_API_KEY="+s.OwnerToken, "BACKUP_ZIP_PASSWORD=e2e export passphrase"), "export", "--dry-run")
	require.Equal(t, 0, code, out)
	require.NotContains(t, out, "skipped  /api/users/", "the owner reads every user's tokens")
}

// The read commands' JSON against the server's own objects.
func TestE2ERealReadCommandsAsJSON(t *testing.T) {
	s := startReal(t)
	buildSourceAccount(t, s)
	_, auditor := s.ServiceUser(t, "bot-auditor", "auditor")
	env := toolEnv(s.URL, "NB_API_KEY="+auditor)
	read := func(args ...string) []jsonObj {
		d := start(t, env, append(args, "-o", "json")...)
		require.Equal(t, 0, d.waitExit(), d.logs())
		var list []jsonObj
		require.NoError(t, json.Unmarshal([]byte(strings.Join(d.stdout(), "\n")), &list), d.logs())
		return list
	}
	names := func(list []jsonObj) []string {
		var out []string
		for _, o := range list {
			out = append(out, o["name"].(string))
		}
		return out
	}
	require.ElementsMatch(t, peerNames, names(read("peers", "list")))
	require.ElementsMatch(t, keysOf(realByName(t, s, "/api/policies")), names(read("policies", "list")))
	keys := read("setup-keys", "list")
	require.ElementsMatch(t, keysOf(realByName(t, s, "/api/setup-keys")), names(keys))
	for _, k := range keys {
		require.NotRegexp(t, `^[0-9A-F]{8}-[0-9A-F]{4}-`, k["key"], "no setup key secret is shown")
	}
	code, out := runTool(t, env, "overview")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "protocol     : udp   ports: 10000-10100", "a port range is shown")
}
