package clone

import (
	"fmt"
	"maps"
	"slices"
)

// CheckMinRows lists how the snapshot's row counts fall short of the
// minimums, in table order; nil when they do not.
func CheckMinRows(counts, min map[string]int) []string {
	var problems []string
	for _, t := range slices.Sorted(maps.Keys(min)) {
		n, ok := counts[t]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("table '%s' not in the snapshot", t))
		case n < min[t]:
			problems = append(problems, fmt.Sprintf("%s=%d, expected at least %d", t, n, min[t]))
		}
	}
	return problems
}
