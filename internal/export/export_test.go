package export

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

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
