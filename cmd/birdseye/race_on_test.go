//go:build race

package main

// raceDetector is true in `make race`: the in-process fakes run several
// times slower, and the daemon binary is built with the race detector too
// (its reports fail the test that started it).
const raceDetector = true
