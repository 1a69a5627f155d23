// Command netbirdbuild builds the real NetBird management server (and the
// nbpeer enrolment program) that the tests start, once per version, into a
// cache directory outside the repository (`make netbird`). It prints where
// the binaries are.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/styliteag/birdseye/internal/netbird/realtest"
)

func main() {
	start := time.Now()
	b, err := realtest.Build(os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "netbirdbuild:", err)
		os.Exit(1)
	}
	fmt.Printf("NetBird %s management server: %s (%s)\n", realtest.Version, b.Management, time.Since(start).Round(time.Second))
}
