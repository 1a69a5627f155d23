package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/mirror"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/netbird/realtest"
)

// `export --by-name` of a realistic real account: no id of the server and
// no secret in it, references by name, the same bytes twice, and a change
// on the server is a small readable diff.
func TestE2ERealExportByNameIsStableAndReadsAsADiff(t *testing.T) {
	s := startReal(t)
	buildSourceAccount(t, s)
	_, reader := s.ServiceUser(t, "exporter", "auditor")
	env := []string{"PATH=" + os.Getenv("PATH"), "NB_URL=" + s.URL, "NB_API_KEY=" + reader}
	code, first := runTool(t, env, "export", "--by-name")
	require.Equal(t, 0, code, first)
	code, second := runTool(t, env, "export", "--by-name")
	require.Equal(t, 0, code)
	require.Equal(t, first, second, "byte-identical for an unchanged account")

	var ids []string
	for _, path := range []string{"/api/groups", "/api/peers", "/api/policies", "/api/posture-checks", "/api/setup-keys", "/api/routes", "/api/networks", "/api/dns/nameservers", "/api/users"} {
		for _, o := range realList(t, s, path) {
			ids = append(ids, o["id"].(string))
		}
	}
	for _, id := range ids {
		require.NotContains(t, first, id, "no id of the server")
	}
	for _, k := range realList(t, s, "/api/setup-keys") {
		require.NotContains(t, first, k["key"].(string), "no setup key secret")
	}
	require.Contains(t, first, "- name: Routers\n    peers:\n      - router-1\n      - router-2\n")
	require.Contains(t, first, "source_posture_checks:\n      - min-version\n")

	web := realByName(t, s, "/api/groups")["Web"]
	var peers []string
	for _, p := range web["peers"].([]any) {
		peers = append(peers, p.(map[string]any)["id"].(string))
	}
	var resources []jsonObj
	for _, r := range web["resources"].([]any) {
		resources = append(resources, jsonObj{"id": r.(map[string]any)["id"], "type": r.(map[string]any)["type"]})
	}
	s.MustDo(t, s.OwnerToken, "PUT", "/api/groups/"+web["id"].(string), jsonObj{"name": "Web servers", "peers": peers, "resources": resources}, nil)
	code, third := runTool(t, env, "export", "--by-name")
	require.Equal(t, 0, code)
	changed := diffLines(first, third)
	require.NotEmpty(t, changed)
	for _, l := range changed {
		require.Contains(t, l, "Web", "only lines naming the renamed group change: %v", changed)
	}

	code, js := runTool(t, env, "export", "--by-name", "--format", "json")
	require.Equal(t, 0, code)
	require.True(t, strings.HasPrefix(js, "{\n  \"birdseye_config\": 1,"))
}

// diffLines are the lines of b that a does not have, and the other way.
func diffLines(a, b string) []string {
	count := map[string]int{}
	for _, l := range strings.Split(a, "\n") {
		count[l]++
	}
	for _, l := range strings.Split(b, "\n") {
		count[l]--
	}
	var out []string
	for l, n := range count {
		if n != 0 {
			out = append(out, l)
		}
	}
	return out
}

// The restore path: a realistic account exported by name, applied with
// `mirror --from` to a fresh server whose machines have enrolled again,
// exported again: the same bytes. A second apply has nothing to do.
func TestE2ERealConfigurationRoundTripsThroughAFile(t *testing.T) {
	a := startReal(t)
	buildSourceAccount(t, a)
	code, docA := runTool(t, []string{"PATH=" + os.Getenv("PATH"), "NB_URL=" + a.URL, "NB_API_KEY=" + a.OwnerToken}, "export", "--by-name")
	require.Equal(t, 0, code, docA)
	file := filepath.Join(t.TempDir(), "netbird.yaml")
	require.NoError(t, os.WriteFile(file, []byte(docA), 0o644))

	b := startReal(t)
	// The machines enrol again with a key of the new server's own (the
	// mirror prunes it: the document does not have it); the document's
	// keys are made anew, their expiry from the document.
	_, key := b.SetupKey(t, "restore-enrol", realtest.SetupKeyOptions{})
	b.Enrol(t, key, false, peerNames...)
	env := []string{"PATH=" + os.Getenv("PATH"), "MIRROR_URL=" + b.URL, "MIRROR_API_KEY=" + b.OwnerToken, "TZ=UTC",
		"MIRROR_SNAPSHOT_DIR=" + filepath.Join(t.TempDir(), "snapshots")}
	all := strings.Join(slices.Clone(mirror.Sections), ",")
	code, out := runTool(t, env, "mirror", "--from", file, "--apply", "--create-users", "--only", all, "--no-report")
	require.Equal(t, 0, code, out)
	code, docB := runTool(t, []string{"PATH=" + os.Getenv("PATH"), "NB_URL=" + b.URL, "NB_API_KEY=" + b.OwnerToken}, "export", "--by-name")
	require.Equal(t, 0, code)
	require.Equal(t, docA, docB, "restored: the same document")

	code, out = runTool(t, env, "mirror", "--from", file, "--only", all, "--no-report")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "planned: 0 created, 0 updated, 0 deleted")

	// A hand-edited document: the plan is exactly the edit.
	edited := strings.Replace(docA, "          - \"5432\"\n", "          - \"5433\"\n", 1)
	require.NotEqual(t, docA, edited)
	require.NoError(t, os.WriteFile(file, []byte(edited), 0o644))
	code, out = runTool(t, env, "mirror", "--from", file, "--only", all, "--no-report")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "  ~ policies       web-to-db (rules)\n")
	require.Contains(t, out, "planned: 0 created, 1 updated, 0 deleted")
	code, out = runTool(t, env, "diff", file, "MIRROR_URL")
	require.Equal(t, 1, code)
	require.Equal(t, "~ policies        web-to-db rules[0].ports: [\"5433\"] → [\"5432\"]\n1 differences between "+file+" and MIRROR_URL\n", out)
}

// A broken document is refused whole before anything is written to the
// target: the line and the reason, exit 2.
func TestMirrorFromABrokenDocumentWritesNothing(t *testing.T) {
	f, api := newAPI(t)
	file := filepath.Join(t.TempDir(), "netbird.yaml")
	require.NoError(t, os.WriteFile(file, []byte("birdseye_config: 1\ngroups:\n  - name: Ops\npolicies:\n  - name: web\n    rules:\n      - name: r\n        sources: [Ops]\n        destinations: [Webb]\n"), 0o644))
	env := []string{"PATH=" + os.Getenv("PATH"), "MIRROR_URL=" + api.URL, "MIRROR_API_KEY=" + fake.AdminToken, "MIRROR_SNAPSHOT_DIR=" + t.TempDir()}
	code, out := runTool(t, env, "mirror", "--from", file, "--apply", "--no-report")
	require.Equal(t, 2, code, out)
	require.Contains(t, out, "--from "+file+":9: policy \"web\" names group \"Webb\", which the document does not have")
	require.Empty(t, f.Writes(), "nothing written")
	require.Empty(t, f.Requests(), "the target not even read")

	require.NoError(t, os.WriteFile(file, []byte("groups: [name: Ops\n"), 0o644))
	code, out = runTool(t, env, "mirror", "--from", file, "--no-report")
	require.Equal(t, 2, code)
	require.Contains(t, out, file+": not YAML or JSON: line 1")
}

// `diff` between an export and the live server finds exactly what was
// changed on the server since, field by field, and exits 1; an unchanged
// server exits 0.
func TestE2ERealDiffFindsExactlyWhatChanged(t *testing.T) {
	s := startReal(t)
	buildSourceAccount(t, s)
	env := []string{"PATH=" + os.Getenv("PATH"), "NB_URL=" + s.URL, "NB_API_KEY=" + s.OwnerToken}
	code, doc := runTool(t, env, "export", "--by-name")
	require.Equal(t, 0, code)
	file := filepath.Join(t.TempDir(), "netbird.yaml")
	require.NoError(t, os.WriteFile(file, []byte(doc), 0o644))
	code, out := runTool(t, env, "diff", file, "NB_URL")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "0 differences between "+file+" and NB_URL")

	pol := realByName(t, s, "/api/policies")["web-to-db"]
	rules := policyWriteRules(pol["rules"])
	rules[0]["ports"] = []string{"5432", "6432"}
	s.MustDo(t, s.OwnerToken, "PUT", "/api/policies/"+pol["id"].(string), jsonObj{"name": "web-to-db", "description": "", "enabled": true, "rules": rules}, nil)
	realCreate(t, s, "/api/groups", jsonObj{"name": "Contractors"})
	code, out = runTool(t, env, "diff", file, "NB_URL")
	require.Equal(t, 1, code, out)
	require.Equal(t, "+ groups          Contractors only in B\n"+
		"~ policies        web-to-db rules[0].ports: [\"5432\"] → [\"5432\",\"6432\"]\n"+
		"2 differences between "+file+" and NB_URL\n", out)
}
