package logging

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLevelAndFormat(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, "warn", "json")
	log.Info("hidden")
	log.Warn("shown", "k", 1)
	var rec map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &rec))
	require.Equal(t, "shown", rec["msg"])
	require.Equal(t, "WARN", rec["level"])

	buf.Reset()
	New(&buf, "debug", "text").Debug("dbg")
	require.Contains(t, buf.String(), "level=DEBUG msg=dbg")
}
