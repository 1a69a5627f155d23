package app

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAPanicInADaemonGoroutineIsReportedScrubbedAndExits70(t *testing.T) {
	t.Setenv("MATTERMOST_WEBHOOK_URL", "https://chat.example.com/hooks/canaryhookkey42")
	var out bytes.Buffer
	code := -1
	crashOut, crashExit = &out, func(c int) { code = c }
	t.Cleanup(func() { crashOut, crashExit = nil, nil })

	guard(func() { panic("POST https://chat.example.com/hooks/canaryhookkey42: boom") })()
	require.Equal(t, 70, code)
	require.Contains(t, out.String(), "birdseye: internal error, please report it: POST [redacted]: boom")
	require.Contains(t, out.String(), "goroutine", "the stack is there")
	require.NotContains(t, out.String(), "canaryhookkey42")

	code = -1
	guard(func() {})()
	require.Equal(t, -1, code, "no panic, no exit")
}
