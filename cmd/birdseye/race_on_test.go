//go:build race

package main

// raceDetector is true in `make race`: the in-process fakes run several
// times slower, and the daemon binary itself is built without it.
const raceDetector = true
