//go:build race

package main

import "testing"

// raceDetector is true in `make race`: the in-process fakes run several
// times slower, and the daemon binary is built with the race detector too
// (its reports fail the test that started it).
const raceDetector = true

// skipUnderRace leaves a slow test to `make test` in the race run, where it
// would cost minutes of CI for little the race detector can find (why).
func skipUnderRace(t *testing.T, why string) {
	t.Helper()
	t.Skip("skipped under the race detector (" + why + "); make test runs it")
}
