package export

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/netbird/nbtest"
)

func setup(t *testing.T, token string) (*fake.Server, *netbird.Client) { return nbtest.Start(t, token) }

func TestExportEverythingWithAManifest(t *testing.T) {
	_, c := setup(t, fake.AdminToken)
	now := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	files, m, err := Run(t.Context(), c, "https://nb.example.com", "test", now)
	require.NoError(t, err)
	byName := map[string]Entry{}
	for _, e := range m.Endpoints {
		byName[e.Name] = e
	}
	require.Equal(t, "ok", byName["policies"].Status)
	require.Equal(t, 3, byName["policies"].Count)
	require.Equal(t, 1, byName["dns_settings"].Count, "an object counts as one")
	require.Equal(t, "ok", byName["network_dc1uf0tqmd2qmv54vk6g_resources"].Status, "per-network endpoints follow the networks")
	require.Equal(t, "ok", byName["user_0255b0f6-0321-4d38-b1e0-1246b750ba1b_tokens"].Status, "tokens per user")
	require.Equal(t, "skipped", byName["event_streaming"].Status)
	require.Equal(t, "HTTP 404: 404 page not found", byName["event_streaming"].Reason)
	require.Equal(t, "skipped", byName["notification_channels"].Status)

	last := files[len(files)-1]
	require.Equal(t, "export/manifest.json", last.Name)
	var back Manifest
	require.NoError(t, json.Unmarshal(last.Body, &back))
	require.Equal(t, "2026-11-23T03:00:00Z", back.ExportedAt)
	require.Equal(t, "https://nb.example.com", back.NBURL)
	for _, f := range files[:len(files)-1] {
		require.True(t, json.Valid(f.Body), f.Name)
	}
	var pol []map[string]any
	require.NoError(t, json.Unmarshal(filesByName(files)["export/policies.json"], &pol))
	require.Equal(t, "Default", pol[0]["name"])
}

func TestForbiddenEndpointsAreRecordedAndNothingReadableIsAnError(t *testing.T) {
	f, c := setup(t, fake.AdminToken)
	f.Fail(fake.Failure{Path: "/api/users", Status: 403, ContentType: "application/json", Body: `{"message":"permission denied","code":403}`})
	_, m, err := Run(t.Context(), c, "u", "v", time.Now())
	require.NoError(t, err)
	for _, e := range m.Endpoints {
		if e.Name == "users" {
			require.Equal(t, "skipped", e.Status)
			require.Equal(t, "HTTP 403: permission denied", e.Reason)
		}
	}

	_, bad := setup(t, "nbp_wrong")
	_, _, err = Run(t.Context(), bad, "u", "v", time.Now())
	require.ErrorIs(t, err, ErrNothingExported)
}

func filesByName(fs []File) map[string][]byte {
	out := map[string][]byte{}
	for _, f := range fs {
		out[f.Name] = f.Body
	}
	return out
}

// Every GET collection of the OpenAPI description (v0.77.1) that is not
// cloud-only is exported or deliberately not, with a reason: a new
// configuration endpoint cannot be missed silently when the description is
// updated.
func TestTheExportCoversEveryConfigurationCollectionOfTheAPI(t *testing.T) {
	raw, err := os.ReadFile("testdata/openapi.yml")
	require.NoError(t, err)
	var spec struct {
		Tags []struct {
			Name      string `yaml:"name"`
			CloudOnly bool   `yaml:"x-cloud-only"`
		} `yaml:"tags"`
		Paths map[string]map[string]yaml.Node `yaml:"paths"` // methods, and parameters
	}
	require.NoError(t, yaml.Unmarshal(raw, &spec))
	cloudTag := map[string]bool{}
	for _, tg := range spec.Tags {
		cloudTag[tg.Name] = tg.CloudOnly
	}
	exported := map[string]bool{}
	for _, e := range Endpoints {
		exported[e.Path] = true
	}
	checked := 0
	for p, ops := range spec.Paths {
		node, ok := ops["get"]
		if !ok || strings.Contains(p, "{") {
			continue
		}
		var get struct {
			Tags      []string `yaml:"tags"`
			CloudOnly bool     `yaml:"x-cloud-only"`
		}
		require.NoError(t, node.Decode(&get))
		cloud := get.CloudOnly || slices.ContainsFunc(get.Tags, func(tg string) bool { return cloudTag[tg] })
		path := strings.TrimPrefix(p, "/api")
		if cloud {
			continue
		}
		checked++
		_, skipped := NotExported[path]
		require.True(t, exported[path] || skipped, "%s is a GET collection of a self-hosted server: export it (Endpoints) or say why not (NotExported)", p)
		require.False(t, exported[path] && skipped, "%s is both exported and not", p)
	}
	require.Greater(t, checked, 30, "the description was read")
	for path := range NotExported {
		_, ok := spec.Paths["/api"+path]
		require.True(t, ok, "%s is in NotExported but not in the API description", path)
	}
}
