// Command netbirdbuild builds the real servers the tests start, once per
// version, into a cache directory outside the repository (`make netbird`):
// the NetBird management server (and the nbpeer enrolment program), the
// OpenTelemetry Collector and VictoriaLogs. It prints where they are.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/styliteag/birdseye/internal/netbird/realtest"
	"github.com/styliteag/birdseye/internal/sink/otlp/otelcoltest"
	"github.com/styliteag/birdseye/internal/vltest"
)

func main() {
	start := time.Now()
	b, err := realtest.Build(os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "netbirdbuild:", err)
		os.Exit(1)
	}
	fmt.Printf("NetBird %s management server: %s (%s)\n", realtest.Version, b.Management, time.Since(start).Round(time.Second))
	for _, p := range []struct {
		name, version string
		build         func() (string, error)
	}{{"OpenTelemetry Collector", otelcoltest.Version, otelcoltest.Build}, {"VictoriaLogs", vltest.Version, vltest.Build}} {
		start = time.Now()
		bin, err := p.build()
		if err != nil {
			fmt.Fprintln(os.Stderr, "netbirdbuild:", err)
			os.Exit(1)
		}
		fmt.Printf("%s %s: %s (%s)\n", p.name, p.version, bin, time.Since(start).Round(time.Second))
	}
}
