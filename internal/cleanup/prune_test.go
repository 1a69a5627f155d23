package cleanup

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird/fake"
)

const fleet = `[
 {"id":"a","name":"old-laptop","ip":"100.77.0.1","connected":false,"last_seen":"2026-06-01T00:00:00Z","groups":[{"id":"g1","name":"Laptops"}]},
 {"id":"b","name":"old-server","ip":"100.77.0.2","connected":false,"last_seen":"2026-06-01T00:00:00Z","groups":[{"id":"g2","name":"Servers"}]},
 {"id":"c","name":"recent-laptop","ip":"100.77.0.3","connected":false,"last_seen":"2026-11-20T00:00:00Z","groups":[{"id":"g1","name":"Laptops"}]},
 {"id":"d","name":"online","ip":"100.77.0.4","connected":true,"last_seen":"2026-06-01T00:00:00Z","groups":[{"id":"g1","name":"Laptops"}]},
 {"id":"e","name":"kiosk-1","ip":"100.77.0.5","connected":false,"last_seen":"2026-05-01T00:00:00Z","groups":[{"id":"g3","name":"Kiosks"}]}
]`

func globs(t *testing.T, s string) []event.Glob {
	gs, err := event.ParseGlobList(s)
	require.NoError(t, err)
	return gs
}

func TestPruneIsADryRunUnlessApplied(t *testing.T) {
	f, c := setup(t, fake.AdminToken)
	f.SetPeers(fleet)
	var out bytes.Buffer
	r, err := Prune(t.Context(), c, PruneOptions{OfflineFor: 90 * 24 * time.Hour, Protect: globs(t, "Servers"), Max: 20}, now, &out)
	require.NoError(t, err)
	require.Equal(t, `Found 2 peer(s) offline for more than 90 days (of 5); 1 protected.
  keep   old-server (id=b, ip=100.77.0.2): in protected group Servers
  would delete old-laptop (id=a, ip=100.77.0.1): last_seen=2026-06-01T00:00:00.000000+00:00 (175 days)
  would delete kiosk-1 (id=e, ip=100.77.0.5): last_seen=2026-05-01T00:00:00.000000+00:00 (206 days)
Done. would delete=2, protected=1.
Dry run: nothing was deleted. Run again with --apply to delete.
`, out.String())
	require.Equal(t, 2, r.Deleted)
	require.Empty(t, f.Writes())
}

func TestPruneNarrowedByGlobsAndApplied(t *testing.T) {
	f, c := setup(t, fake.AdminToken)
	f.SetPeers(fleet)
	var out bytes.Buffer
	r, err := Prune(t.Context(), c, PruneOptions{OfflineFor: 90 * 24 * time.Hour, Groups: globs(t, "Lap*"), Names: globs(t, "old-*"), Max: 20, Apply: true}, now, &out)
	require.NoError(t, err)
	require.Equal(t, 1, r.Deleted)
	require.Contains(t, out.String(), "  deleted old-laptop (id=a, ip=100.77.0.1)\nDone. deleted=1, protected=0.\n")
	require.Len(t, f.Writes(), 1)
	require.Equal(t, "/api/peers/a", f.Writes()[0].Path)
}

func TestPruneRefusesToGoPastMax(t *testing.T) {
	f, c := setup(t, fake.AdminToken)
	f.SetPeers(fleet)
	var out bytes.Buffer
	_, err := Prune(t.Context(), c, PruneOptions{OfflineFor: 30 * 24 * time.Hour, Max: 2, Apply: true}, now, &out)
	require.ErrorIs(t, err, ErrTooMany)
	require.Contains(t, out.String(), "Refusing: 3 peers qualify, more than --max 2.")
	require.Empty(t, f.Writes(), "nothing is deleted when the cap is exceeded")
}
