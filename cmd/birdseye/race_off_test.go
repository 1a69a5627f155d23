//go:build !race

package main

import "testing"

const raceDetector = false

// skipUnderRace does nothing outside the race run.
func skipUnderRace(*testing.T, string) {}
