//go:build race

package memtrim

// raceOn: the race detector keeps shadow memory for every heap page it saw,
// resident after the heap's own pages go back, so RssAnon says less there.
const raceOn = true
