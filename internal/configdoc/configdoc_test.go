package configdoc

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/netbird/nbtest"
)

// The fixture account (captured from a real v0.77.1 server) by name: no
// id of the server, no secret, references as names, and the same bytes
// for the same account.
func TestTheDocumentNamesEverythingAndHoldsNoIdOrSecret(t *testing.T) {
	_, api := nbtest.Start(t, fake.AuditorToken)
	d, err := Read(t.Context(), api)
	require.NoError(t, err)
	var y bytes.Buffer
	require.NoError(t, d.Write(&y, "yaml"))

	out := y.String()
	require.True(t, strings.HasPrefix(out, Header+"birdseye_config: 1\n"))
	require.NotContains(t, out, "dc1u", "no id of the server")
	require.NotContains(t, out, "AEB89", "no setup key secret")
	require.NotContains(t, out, "used_times")
	require.NotContains(t, out, "last_seen")

	d2, err := Read(t.Context(), api)
	require.NoError(t, err)
	var y2 bytes.Buffer
	require.NoError(t, d2.Write(&y2, "yaml"))
	require.Equal(t, out, y2.String(), "byte-identical for the same account")

	var j bytes.Buffer
	require.NoError(t, d.Write(&j, "json"))
	var back map[string]any
	require.NoError(t, json.Unmarshal(j.Bytes(), &back))
	require.EqualValues(t, 1, back["birdseye_config"])
}

// A written document reads back, and answers the mirror's reads with ids
// made of names that point where the names pointed.
func TestADocumentReadsBackAsAMirrorSource(t *testing.T) {
	_, api := nbtest.Start(t, fake.AuditorToken)
	d, err := Read(t.Context(), api)
	require.NoError(t, err)
	var y bytes.Buffer
	require.NoError(t, d.Write(&y, "yaml"))
	back, err := Load(bytes.NewReader(y.Bytes()), "netbird.yaml")
	require.NoError(t, err)
	var y2 bytes.Buffer
	require.NoError(t, back.Write(&y2, "yaml"))
	require.Equal(t, y.String(), y2.String(), "read back, written again: the same bytes")

	src := back.Source("netbird.yaml")
	require.Equal(t, "file:netbird.yaml", src.BaseURL())
	raw, err := src.GetRaw(t.Context(), "/policies")
	require.NoError(t, err)
	var pols []map[string]any
	require.NoError(t, json.Unmarshal(raw, &pols))
	var ops map[string]any
	for _, p := range pols {
		if p["name"] == "Ops SSH" {
			ops = p
		}
	}
	require.NotNil(t, ops)
	rule := ops["rules"].([]any)[0].(map[string]any)
	require.Equal(t, []any{map[string]any{"id": "g:Ops", "name": "Ops"}}, rule["sources"])
	require.Equal(t, map[string]any{"g:Ops": []any{"root"}}, rule["authorized_groups"])
	raw, err = src.GetRaw(t.Context(), "/groups")
	require.NoError(t, err)
	require.Contains(t, string(raw), `{"id":"p:ci-runner-17","name":"ci-runner-17"}`)
	_, err = src.GetRaw(t.Context(), "/events/audit")
	require.ErrorContains(t, err, "netbird.yaml: no /events/audit in a configuration document")
}

// A broken document is refused before anything is written, with the line
// and the reason.
func TestABrokenDocumentIsRefusedWithTheLineAndTheReason(t *testing.T) {
	doc := `birdseye_config: 1
groups:
  - name: Ops
    peers: []
posture_checks: []
policies:
  - name: web
    enabled: true
    source_posture_checks: [Compliant]
    rules:
      - name: r
        sources: [Ops]
        destinations: [Webb]
`
	_, err := Load(strings.NewReader(doc), "netbird.yaml")
	require.EqualError(t, err, "netbird.yaml:9: policy \"web\" names posture check \"Compliant\", which the document does not have\n"+
		"netbird.yaml:13: policy \"web\" names group \"Webb\", which the document does not have")

	_, err = Load(strings.NewReader("groups: [name: Ops\n"), "netbird.yaml")
	require.ErrorContains(t, err, "netbird.yaml: not YAML or JSON: line ")
	_, err = Load(strings.NewReader("groups: []\n"), "netbird.yaml")
	require.EqualError(t, err, "netbird.yaml: not a configuration document of birdseye export --by-name (no birdseye_config: 1)")
	_, err = Load(strings.NewReader("birdseye_config: 2\n"), "netbird.yaml")
	require.EqualError(t, err, "netbird.yaml: birdseye_config: 2 is newer than this birdseye reads (1)")
}

func TestADiffNamesExactlyWhatChanged(t *testing.T) {
	load := func(s string) *Doc {
		d, err := Load(strings.NewReader(s), "x.yaml")
		require.NoError(t, err)
		return d
	}
	a := load(`birdseye_config: 1
groups: [{name: Ops, peers: []}, {name: Web, peers: []}]
policies:
  - name: web
    enabled: true
    rules: [{name: r, sources: [Ops], destinations: [Web], ports: ["80"]}]
dns_settings: {disabled_management_groups: []}
`)
	b := load(`birdseye_config: 1
groups: [{name: Ops, peers: []}, {name: DB, peers: []}, {name: Web, peers: []}]
policies:
  - name: web
    enabled: false
    rules: [{name: r, sources: [Ops], destinations: [Web], ports: ["80", "443"]}]
`)
	changes := Diff(a, b)
	var got []string
	for _, c := range changes {
		got = append(got, line(c, ""))
	}
	require.Equal(t, []string{
		"DB only in B",
		`web enabled: true → false`,
		`web rules[0].ports: ["80"] → ["80","443"]`,
	}, got, "an empty list and no list are the same")
	require.Empty(t, Diff(a, a))

	var md bytes.Buffer
	require.NoError(t, WriteDiff(&md, changes, "a.yaml", "b.yaml", "markdown"))
	require.Contains(t, md.String(), "## policies\n\n- `web` enabled: `true` → `false`\n")
	var js bytes.Buffer
	require.NoError(t, WriteDiff(&js, nil, "a.yaml", "b.yaml", "json"))
	require.Contains(t, js.String(), `"changes": []`)
}
