package otlp

import (
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/otlp/otelcoltest"
	"github.com/styliteag/birdseye/internal/sink/sinktest"
)

func realCollector(t *testing.T, protocol string) (*Sink, *otelcoltest.Collector, *otelcoltest.Backend) {
	if testing.Short() && os.Getenv("CI") == "" {
		t.Skip("-short: the real collector is built on first use (a minute or two)")
	}
	be := &otelcoltest.Backend{}
	srv := httptest.NewServer(be)
	t.Cleanup(srv.Close)
	col := otelcoltest.Start(t, srv.URL, nil)
	return New(Config{Endpoint: col.Endpoint, Protocol: protocol, NetBirdURL: "https://netbird.example.com",
		Resource: map[string]string{"deployment.environment": "prod"}}), col, be
}

// The real OpenTelemetry Collector reads what the sink sends, in both
// encodings, as the fake does: its OTLP receiver decodes the request with
// the collector's own code and its exporter hands the records on as JSON.
func TestTheRealCollectorReadsEveryFieldInBothEncodings(t *testing.T) {
	for _, p := range []string{Protobuf, JSON, Protobuf + "+gzip"} {
		t.Run(p, func(t *testing.T) {
			protocol, gz := strings.CutSuffix(p, "+gzip")
			s, col, be := realCollector(t, protocol)
			s.cfg.Gzip = gz
			require.NoError(t, s.Deliver(t.Context(), richBatch()), col.Log())
			recs := be.Records()
			for _, r := range recs {
				require.Equal(t, "birdseye", r.Scope)
			}
			checkRich(t, recs)
		})
	}
}

// A backend behind the collector that fails makes the collector refuse
// the request as one to retry; once it is back, the batch goes through
// whole and once.
func TestTheRealCollectorsRefusalIsRetriedAndLosesNothing(t *testing.T) {
	s, _, be := realCollector(t, Protobuf)
	be.Fail(true)
	err := s.Deliver(t.Context(), sink.Batch{Events: sinktest.Events(5, 0)})
	require.Error(t, err)
	require.False(t, sink.IsPermanent(err), "retryable: %v", err)
	require.ErrorContains(t, err, "HTTP 503: error exporting items", "the collector's google.rpc.Status, read from protobuf")
	require.Empty(t, be.Records())
	be.Fail(false)
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: sinktest.Events(5, 0)}))
	require.Len(t, be.Records(), 5)
}
