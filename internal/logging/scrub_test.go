package logging

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWithScrubRedactsSecretsInMessagesAttrsErrorsAndGroups(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		var b bytes.Buffer
		log := WithScrub(New(&b, "debug", format), []string{"nbp_canarytoken", "hookkey123"})
		log = log.With("base", "https://chat/hooks/hookkey123")
		log.Error("job panicked with nbp_canarytoken", "panic", "dial ?t=nbp_canarytoken",
			"err", errors.New("POST https://chat/hooks/hookkey123: 500"), "n", 3,
			"req", map[string]string{"ok": "yes"})
		log.WithGroup("g").Info("x", "inner", "nbp_canarytoken")
		out := b.String()
		require.NotContains(t, out, "canarytoken", format)
		require.NotContains(t, out, "hookkey123", format)
		require.Contains(t, out, "[redacted]", format)
		require.Contains(t, out, "500", format)
		require.Contains(t, out, "3", format)
	}
}

func TestWithScrubWithoutSecretsIsTheSameLogger(t *testing.T) {
	l := New(&bytes.Buffer{}, "info", "text")
	require.Same(t, l, WithScrub(l, nil))
}
