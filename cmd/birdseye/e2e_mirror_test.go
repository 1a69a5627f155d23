package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/fake"
)

func TestE2EMirrorDryRunThenApplyThenInSync(t *testing.T) {
	srcF, src := newAPI(t)
	dstF, dst := newAPI(t)
	dstF.SetGroups(`[{"id":"t-all","name":"All","peers":[],"resources":[]},{"id":"t-old","name":"Old team","peers":[],"resources":[]}]`)
	dstF.SetPolicies("[]")
	dstF.SetPostureChecks("[]")
	dstF.SetNetworks("[]")
	dstF.SetNameservers("[]")
	snap := filepath.Join(t.TempDir(), "mirror")
	env := toolEnv(src.URL, "NB_API_KEY="+fake.AuditorToken, "MIRROR_URL="+dst.URL, "MIRROR_API_KEY="+fake.AdminToken, "MIRROR_SNAPSHOT_DIR="+snap)

	d := start(t, env, "mirror")
	require.Equal(t, 0, d.waitExit(), d.logs())
	out := strings.Join(d.stdout(), "\n")
	require.Contains(t, out, "mode     DRY RUN")
	require.Contains(t, out, "  - groups         Old team")
	require.Contains(t, out, "Re-run with --apply to execute.")
	require.Empty(t, dstF.Writes())

	d = start(t, env, "mirror", "--apply", "--skip", "policies")
	require.Equal(t, 0, d.waitExit(), d.logs()+strings.Join(d.stdout(), "\n"))
	out = strings.Join(d.stdout(), "\n")
	require.Contains(t, out, "sections posture-checks,groups,networks,resources,routers,routes,setup-keys,nameservers,dns-settings,users,peers,account")
	require.Contains(t, out, "target matches the source for every selected section")
	require.NotContains(t, string(dstF.Collection("groups")), "Old team")
	require.Empty(t, srcF.Writes(), "the source is only read")
	entries, _ := os.ReadDir(snap)
	require.Len(t, entries, 1)

	d = start(t, env, "mirror", "--apply")
	require.Equal(t, 0, d.waitExit(), strings.Join(d.stdout(), "\n"))
	writes := len(dstF.Writes())
	d = start(t, env, "mirror", "--apply")
	require.Equal(t, 0, d.waitExit())
	require.Contains(t, strings.Join(d.stdout(), "\n"), "applied: 0 created, 0 updated, 0 deleted")
	require.Len(t, dstF.Writes(), writes, "in step: a second apply writes nothing")
}

func TestE2EMirrorRefusesTheSameHostAndNamesWhatIsMissing(t *testing.T) {
	_, src := newAPI(t)
	for _, c := range []struct {
		extra []string
		args  []string
		want  string
	}{
		{nil, nil, "birdseye: config: MIRROR_URL is not set; expected the management URL of the controller to keep in step"},
		{[]string{"MIRROR_URL=" + strings.Replace(src.URL, "127.0.0.1", "localhost", 1), "MIRROR_API_KEY=" + fake.AdminToken}, nil, "REFUSING: source and target are the same host"},
		{[]string{"MIRROR_URL=https://standby.example.com", "MIRROR_API_KEY=" + fake.AdminToken, "MIRROR_SECTIONS=gropus"}, nil, "birdseye: config: MIRROR_SECTIONS has unknown section(s): gropus; known: "},
		{[]string{"MIRROR_URL=https://standby.example.com", "MIRROR_API_KEY=" + fake.AdminToken}, []string{"--skip", "dns"}, "birdseye: --only/--skip unknown section(s): dns; known: "},
	} {
		d := start(t, toolEnv(src.URL, append([]string{"NB_API_KEY=" + fake.AuditorToken}, c.extra...)...), append([]string{"mirror"}, c.args...)...)
		require.Equal(t, 2, d.waitExit(), c.want)
		require.Contains(t, d.logs(), c.want)
	}
}

func TestE2EMirrorPlanAsJSONForScripts(t *testing.T) {
	_, src := newAPI(t)
	dstF, dst := newAPI(t)
	dstF.SetPostureChecks("[]")
	env := toolEnv(src.URL, "NB_API_KEY="+fake.AuditorToken, "MIRROR_URL="+dst.URL, "MIRROR_API_KEY="+fake.AdminToken, "MIRROR_SNAPSHOT_DIR=")
	d := start(t, env, "mirror", "-o", "json")
	require.Equal(t, 0, d.waitExit(), d.logs())
	var report struct {
		Apply  bool
		Result struct {
			Created int
			Changes []struct{ Op, Section, Name string }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(strings.Join(d.stdout(), "\n")), &report))
	require.False(t, report.Apply)
	require.Equal(t, 1, report.Result.Created)
	require.Contains(t, report.Result.Changes, struct{ Op, Section, Name string }{"create", "posture-checks", "Recent client"})
	require.Empty(t, dstF.Writes())
}

func TestE2EDoctorReachesTheMirrorTargetAndRefusesTheSource(t *testing.T) {
	_, api := newAPI(t)
	dstF, dst := newAPI(t)
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, api, sf, "NB_ADMIN_API_KEY="+fake.AdminToken, "MIRROR_URL="+dst.URL, "MIRROR_API_KEY="+fake.AdminToken), "doctor")
	d.waitExit()
	out := strings.Join(d.stdout(), "\n")
	require.Contains(t, out, "ok    MIRROR_URL             "+dst.URL+"/api answers with MIRROR_API_KEY (4 groups)")
	require.Empty(t, dstF.Writes())

	same := strings.Replace(api.URL, "127.0.0.1", "localhost", 1)
	d = start(t, baseEnv(t, api, sf, "NB_ADMIN_API_KEY="+fake.AdminToken, "MIRROR_URL="+same, "MIRROR_API_KEY="+fake.AdminToken), "doctor")
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, strings.Join(d.stdout(), "\n"), "FAIL  MIRROR_URL             REFUSING: source and target are the same host")
}
