package cleanup

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/netbird/nbtest"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

const peers = `[
 {"id":"p1","name":"runner-old","ip":"100.77.0.1","ephemeral":true,"connected":false,"last_seen":"2026-11-23T09:00:00.123456789Z"},
 {"id":"p2","name":"runner-live","ip":"100.77.0.2","ephemeral":true,"connected":true,"last_seen":"2026-11-23T09:00:00Z"},
 {"id":"p3","name":"runner-recent","ip":"100.77.0.3","ephemeral":true,"connected":false,"last_seen":"2026-11-23T11:30:00Z"},
 {"id":"p4","name":"laptop","ip":"100.77.0.4","ephemeral":false,"connected":false,"last_seen":"2026-01-01T00:00:00Z"},
 {"id":"p5","name":"","ip":"100.77.0.5","ephemeral":true,"connected":false,"last_seen":"0001-01-01T00:00:00Z"},
 {"id":"p6","name":"runner-old2","ip":"100.77.0.6","ephemeral":true,"connected":false,"last_seen":"2026-11-22T09:00:00Z"}
]`

func setup(t *testing.T, token string) (*fake.Server, *netbird.Client) {
	t.Helper()
	f, c := nbtest.Start(t, token)
	f.SetPeers(peers)
	return f, c
}

func TestDryRunReportsAndWritesNothing(t *testing.T) {
	f, c := setup(t, fake.AdminToken)
	var out bytes.Buffer
	r, err := Ephemeral(t.Context(), c, Options{MinAge: time.Hour, DryRun: true}, now, &out)
	require.NoError(t, err)
	require.Equal(t, `Found 5 ephemeral peer(s) of 6 total. Cutoff: last_seen < 2026-11-23T11:00:00.000000+00:00 (--min-age-minutes=60).
  would delete runner-old (id=p1, ip=100.77.0.1): last_seen=2026-11-23T09:00:00.123456+00:00
  skip   runner-live (id=p2, ip=100.77.0.2): still connected
  skip   runner-recent (id=p3, ip=100.77.0.3): last_seen too recent (2026-11-23T11:30:00.000000+00:00)
  skip   ? (id=p5, ip=100.77.0.5): missing last_seen
  would delete runner-old2 (id=p6, ip=100.77.0.6): last_seen=2026-11-22T09:00:00.000000+00:00
Done. would delete=2, skipped=3.
`, out.String())
	require.Equal(t, Result{Total: 6, Ephemeral: 5, Deleted: 2, Skipped: 3}, r)
	require.Empty(t, f.Writes())
}

func TestDeletesOnlyStaleDisconnectedEphemeralPeers(t *testing.T) {
	f, c := setup(t, fake.AdminToken)
	var out bytes.Buffer
	r, err := Ephemeral(t.Context(), c, Options{MinAge: time.Hour}, now, &out)
	require.NoError(t, err)
	require.Equal(t, 2, r.Deleted)
	require.Contains(t, out.String(), "  delete runner-old (id=p1, ip=100.77.0.1): last_seen=2026-11-23T09:00:00.123456+00:00\n  deleted runner-old (id=p1, ip=100.77.0.1)\n")
	require.True(t, strings.HasSuffix(out.String(), "Done. deleted=2, skipped=3.\n"))
	var deleted []string
	for _, w := range f.Writes() {
		deleted = append(deleted, w.Method+" "+w.Path)
	}
	require.Equal(t, []string{"DELETE /api/peers/p1", "DELETE /api/peers/p6"}, deleted)
}

func TestAFailedDeleteIsReportedAndTheRunGoesOn(t *testing.T) {
	f, c := setup(t, fake.AdminToken)
	f.Fail(fake.Failure{Method: "DELETE", Path: "/api/peers/p1", Status: 500, ContentType: "application/json", Body: `{"message":"internal server error","code":500}`})
	var out bytes.Buffer
	r, err := Ephemeral(t.Context(), c, Options{MinAge: time.Hour}, now, &out)
	require.ErrorIs(t, err, ErrSomeFailed)
	require.Equal(t, 1, r.Failed)
	require.Equal(t, 1, r.Deleted)
	require.Contains(t, out.String(), "  delete runner-old (id=p1, ip=100.77.0.1): last_seen=2026-11-23T09:00:00.123456+00:00\n  FAILED runner-old (id=p1, ip=100.77.0.1): DELETE /api/peers/p1: HTTP 500: internal server error")
	require.Contains(t, out.String(), "  deleted runner-old2 (id=p6, ip=100.77.0.6)\nDone. deleted=1, skipped=3, failed=1.\n")
}

func TestAPeerThatReconnectedSinceTheListIsKept(t *testing.T) {
	f, c := setup(t, fake.AdminToken)
	api := &reconnecting{Client: c, id: "p1"}
	var out bytes.Buffer
	_, err := Ephemeral(t.Context(), api, Options{MinAge: time.Hour}, now, &out)
	require.NoError(t, err)
	require.Contains(t, out.String(), "  skip   runner-old (id=p1, ip=100.77.0.1): still connected (changed since the list was read)")
	require.Len(t, f.Writes(), 1)
}

type reconnecting struct {
	*netbird.Client
	id string
}

func (r *reconnecting) GetPeer(ctx context.Context, id string) (netbird.Peer, error) {
	p, err := r.Client.GetPeer(ctx, id)
	if id == r.id {
		p.Connected = true
	}
	return p, err
}

func TestAReadOnlyTokenStopsTheRunWithTheReason(t *testing.T) {
	_, c := setup(t, fake.AuditorToken)
	var out bytes.Buffer
	_, err := Ephemeral(t.Context(), c, Options{MinAge: time.Hour}, now, &out)
	require.Error(t, err)
	require.Equal(t, netbird.KindAuth, netbird.KindOf(err))
	require.Contains(t, err.Error(), "HTTP 403: permission denied")
}
