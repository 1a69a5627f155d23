package app

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/styliteag/birdseye/internal/config"
)

// Where a crash report goes and how the process ends; tests replace them.
var (
	crashOut  io.Writer = os.Stderr
	crashExit           = os.Exit
)

// guard runs fn and turns a panic into a report with every secret value
// scrubbed and exit code 70. Go's own crash output would print the panic's
// message as is, and a message may quote a token or the webhook URL.
func guard(fn func()) func() {
	return func() {
		defer func() {
			if r := recover(); r != nil {
				fmt.Fprint(crashOut, config.CrashReport(r, debug.Stack(), config.SecretValues()))
				crashExit(70)
			}
		}()
		fn()
	}
}
