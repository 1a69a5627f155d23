package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/netbird/fake"
)

func TestE2EPoliciesListTableAndJSON(t *testing.T) {
	f, api := newAPI(t)
	d := start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "policies", "list")
	require.Equal(t, 0, d.waitExit())
	require.Equal(t, []string{
		"dc1uer5qmd2qmv54vjmg  'Default'                       enabled=True  rules=1",
		"dc1uf0tqmd2qmv54vjvg  'Admins to Servers'             enabled=True  rules=1",
		"dc1uf0tqmd2qmv54vk1g  'Ops SSH'                       enabled=True  rules=1",
	}, d.stdout())

	d = start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "policies", "list", "-o", "json")
	require.Equal(t, 0, d.waitExit())
	var ps []netbird.Policy
	require.NoError(t, json.Unmarshal([]byte(strings.Join(d.stdout(), "\n")), &ps))
	require.Len(t, ps, 3)
	require.Equal(t, "netbird-ssh", ps[2].Rules[0].Protocol)
	require.Empty(t, f.Writes(), "read commands write nothing")
}

func TestE2EPeersListAndOverview(t *testing.T) {
	_, api := newAPI(t)
	d := start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "peers", "list")
	require.Equal(t, 0, d.waitExit())
	require.Len(t, d.stdout(), 4)
	require.Regexp(t, `^ci-runner-17\s+\S+\s+no\s+yes\s`, d.stdout()[2])

	d = start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "peers", "list", "-o", "json")
	require.Equal(t, 0, d.waitExit())
	var peers []netbird.Peer
	require.NoError(t, json.Unmarshal([]byte(strings.Join(d.stdout(), "\n")), &peers))
	require.True(t, peers[1].Ephemeral)

	d = start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "overview")
	require.Equal(t, 0, d.waitExit())
	out := strings.Join(d.stdout(), "\n")
	require.Contains(t, out, "Policies (3)\n============")
	require.Contains(t, out, "Posture Checks (1)")
	require.Contains(t, out, "Policy: 'Ops SSH'  (dc1uf0tqmd2qmv54vk1g)")

	d = start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "overview", "-o", "json")
	require.Equal(t, 0, d.waitExit())
	var ov map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(strings.Join(d.stdout(), "\n")), &ov))
	require.Contains(t, ov, "posture_checks")
}

func TestE2EReadCommandsExplainBadInput(t *testing.T) {
	_, api := newAPI(t)
	d := start(t, toolEnv(api.URL), "policies", "list")
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), "config: NB_API_KEY is not set (nor NB_ADMIN_API_KEY)")

	d = start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "policies", "list", "-o", "yaml")
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), `--output must be one of "table","json" but got "yaml"`)

	d = start(t, toolEnv(api.URL, "NB_API_KEY=nbp_bad"), "peers", "list")
	require.Equal(t, 1, d.waitExit())
	require.Contains(t, d.logs(), "GET /api/peers: HTTP 401: token invalid")

	d = start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "policies")
	require.Equal(t, 2, d.waitExit(), "a group without its subcommand is a usage error")
}

func TestE2EEveryLevelHasHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"policies", "--help"}, {"policies", "list", "--help"}, {"peers", "list", "--help"}, {"overview", "--help"}, {"cleanup-ephemeral", "--help"}, {"run", "--help"}} {
		d := start(t, []string{"PATH=" + os.Getenv("PATH")}, args...)
		require.Equal(t, 0, d.waitExit(), args)
		require.Contains(t, strings.Join(d.stdout(), "\n"), "Usage: birdseye", args)
	}
}

// The image links every multi-call name to the binary: the Dockerfile and
// the code must agree.
func TestTheDockerfileLinksEveryMultiCallName(t *testing.T) {
	b, err := os.ReadFile("../../docker/Dockerfile")
	require.NoError(t, err)
	m := regexp.MustCompile(`for c in ([a-z\- ]+); do ln -s birdseye`).FindSubmatch(b)
	require.NotNil(t, m)
	require.ElementsMatch(t, multiCallNames, strings.Fields(string(m[1])))
}

func TestE2EEventsTail(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(12, "policy.update", "p")
	d := start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken, "TZ=UTC"), "events", "--once", "--initial", "3")
	require.Equal(t, 0, d.waitExit())
	require.Equal(t, []int{10, 11, 12}, ids(d.stdout()), "the newest three, oldest first")
	require.NotContains(t, strings.Join(d.stdout(), ""), "\x1b[", "no colours when stdout is not a terminal")

	d = start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "events", "--initial", "1", "--interval", "0.05")
	d.waitFor("the banner", func() bool { return len(d.stdout()) == 2 })
	require.Equal(t, "-- streaming new events every 0.05s --", d.stdout()[1])
	f.AddN(2, "user.block", "u")
	d.waitFor("the new events", func() bool { return len(d.stdout()) == 4 })
	require.Equal(t, []int{12, 13, 14}, ids(d.stdout()))

	d = start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "events", "--once", "--initial", "2", "-o", "json")
	require.Equal(t, 0, d.waitExit())
	require.Len(t, d.stdout(), 2)
	var ev struct {
		ID             string `json:"id"`
		ActivityCode   string `json:"activity_code"`
		InitiatorLabel string `json:"initiator_label"`
	}
	require.NoError(t, json.Unmarshal([]byte(d.stdout()[1]), &ev))
	require.Equal(t, "14", ev.ID)
	require.Equal(t, "system", ev.InitiatorLabel)

	d = start(t, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "events", "--interval", "0")
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), "config: --interval=0 is not a positive number of seconds")
}

func TestE2EALinkNamedPoliciesRunsPolicies(t *testing.T) {
	_, api := newAPI(t)
	link := filepath.Join(t.TempDir(), "policies")
	require.NoError(t, os.Symlink(binPath, link))
	out, err := execEnvOutput(link, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "list")
	require.NoError(t, err)
	require.Contains(t, out, "'Admins to Servers'")
}
