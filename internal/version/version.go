// Package version holds the build metadata stamped in with -ldflags -X.
package version

import "runtime"

// Set at build time: -X github.com/styliteag/birdseye/internal/version.Version=...
var (
	Version = "dev"
	Commit  = "unknown"
)

// UserAgent is sent with every request birdseye makes.
func UserAgent() string { return "birdseye/" + Version }

// String is the one-line answer of `birdseye version`.
func String() string {
	return "birdseye " + Version + " (commit " + Commit + ", " + runtime.Version() + ")"
}
