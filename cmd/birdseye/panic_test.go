package main

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/config"
)

func TestAPanicIsReportedWithItsSecretsScrubbed(t *testing.T) {
	t.Setenv("NB_API_KEY", "nbp_paniccanary0000000000000000000000000")
	t.Setenv("SMTP_PASSWORD", "smtp-canary-pw")
	var stderr bytes.Buffer
	code := func() (code int) {
		defer func() {
			r := recover()
			code = reportPanic(&stderr, r, []byte("goroutine 1 [running]:\nmain.f(\"smtp-canary-pw\")\n"), config.SecretValues())
		}()
		panic(fmt.Sprintf("dial https://nb.example.com?token=%s", "nbp_paniccanary0000000000000000000000000"))
	}()
	require.Equal(t, exitBug, code)
	out := stderr.String()
	require.Contains(t, out, "birdseye: internal error, please report it: dial https://nb.example.com?token=[redacted]")
	require.Contains(t, out, `main.f("[redacted]")`, "the stack too")
	require.NotContains(t, out, "paniccanary")
	require.NotContains(t, out, "smtp-canary-pw")
}
