package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
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
	// Every command has its link, but run (the image's default) and help.
	var commands []string
	ct := reflect.TypeOf(cli{})
	for i := range ct.NumField() {
		f := ct.Field(i)
		if _, ok := f.Tag.Lookup("cmd"); !ok {
			continue
		}
		name := f.Tag.Get("name")
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		if name != "run" && name != "help" {
			commands = append(commands, name)
		}
	}
	require.ElementsMatch(t, commands, multiCallNames)
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
	require.Contains(t, d.logs(), "birdseye: --interval=0 is not a positive number of seconds")
}

func TestE2EALinkNamedPoliciesRunsPolicies(t *testing.T) {
	_, api := newAPI(t)
	link := filepath.Join(t.TempDir(), "policies")
	require.NoError(t, os.Symlink(binPath, link))
	out, err := execEnvOutput(link, toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken), "list")
	require.NoError(t, err)
	require.Contains(t, out, "'Admins to Servers'")
}

// -o json is the API's objects as the server sent them: every field (the
// peers' hostname, kernel_version, serial_number…, the keys' updated_at and
// allow_extra_dns_labels, the rule groups' peers_count), also fields a newer
// server adds.
func TestE2EJSONOutputIsTheAPIsObjectsUnchanged(t *testing.T) {
	_, api := newAPI(t)
	get := func(path string) string {
		req, _ := http.NewRequest(http.MethodGet, api.URL+"/api"+path, nil)
		req.Header.Set("Authorization", "Token "+fake.AdminToken)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	env := toolEnv(api.URL, "NB_API_KEY="+fake.AuditorToken, "NB_ADMIN_API_KEY="+fake.AdminToken)
	for _, c := range []struct {
		args []string
		path string
	}{
		{[]string{"peers", "list"}, "/peers"},
		{[]string{"policies", "list"}, "/policies"},
		{[]string{"setup-keys", "list"}, "/setup-keys"},
	} {
		d := start(t, env, append(c.args, "-o", "json")...)
		require.Equal(t, 0, d.waitExit(), d.logs())
		require.JSONEq(t, get(c.path), strings.Join(d.stdout(), "\n"), strings.Join(c.args, " "))
	}
	d := start(t, env, "peers", "list", "-o", "json")
	require.Equal(t, 0, d.waitExit())
	out := strings.Join(d.stdout(), "\n")
	for _, field := range []string{`"hostname"`, `"kernel_version"`, `"serial_number"`, `"user_id"`, `"created_at"`, `"ssh_enabled"`} {
		require.Contains(t, out, field)
	}
	d = start(t, env, "setup-keys", "show", "ci-runners", "-o", "json")
	require.Equal(t, 0, d.waitExit())
	var keys []map[string]any
	require.NoError(t, json.Unmarshal([]byte(strings.Join(d.stdout(), "\n")), &keys))
	require.Len(t, keys, 1)
	require.Equal(t, "ci-runners", keys[0]["name"])
	require.Contains(t, keys[0], "updated_at")
	require.Contains(t, keys[0], "allow_extra_dns_labels")
}

// The ways people ask for help and the version all work; plain `birdseye`
// shows the usage instead of starting the daemon; flag placeholders say
// what they take; alternatives do not read as both required.
func TestE2EHelpVersionAndUsage(t *testing.T) {
	env := []string{"PATH=" + os.Getenv("PATH")}
	d := start(t, env, "--version")
	require.Equal(t, 0, d.waitExit())
	require.Regexp(t, `^birdseye \S+ \(commit \S+, go1\.`, d.stdout()[0])

	for _, args := range [][]string{{"help"}, {"--help"}} {
		d = start(t, env, args...)
		require.Equal(t, 0, d.waitExit())
		require.Equal(t, "Usage: birdseye <command> [flags]", d.stdout()[0])
	}
	d = startAs(t, nil, env, []string{}...)
	require.Equal(t, 0, d.waitExit())
	require.Equal(t, "Usage: birdseye <command> [flags]", d.stdout()[0], "no daemon without `run`")

	d = start(t, env, "help", "peers", "prune")
	require.Equal(t, 0, d.waitExit())
	require.Equal(t, "Usage: birdseye peers prune --offline-days=DAYS [flags]", d.stdout()[0])
	d = start(t, env, "help", "setup-keys", "update")
	require.Equal(t, 0, d.waitExit())
	require.Equal(t, "Usage: birdseye setup-keys update [flags]", d.stdout()[0], "--key and --all-keys are alternatives")
	require.Contains(t, strings.Join(d.stdout(), "\n"), "--key=NAME")
}
