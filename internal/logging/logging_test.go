package logging

import (
	"bytes"
	"encoding/json"
	"errors"
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

func TestAJoinedErrorIsOneReadableValue(t *testing.T) {
	var b bytes.Buffer
	l := WithScrub(New(&b, "info", "text"), []string{"hunter2hunter2"})
	l.Error("delivery failed", "err", errors.Join(errors.New("deliver to webhook: 503"), errors.New("deliver to syslog: refused hunter2hunter2")))
	require.Contains(t, b.String(), `err="deliver to webhook: 503; deliver to syslog: refused [redacted]"`)
	require.NotContains(t, b.String(), `\n`)
}
