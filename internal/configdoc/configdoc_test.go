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
