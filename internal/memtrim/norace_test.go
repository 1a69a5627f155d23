//go:build !race

package memtrim

const raceOn = false
