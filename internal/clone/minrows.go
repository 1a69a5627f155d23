package clone

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// DefaultMinRows is CLONE_MIN_ROWS when it is unset: a snapshot without an
// account or a peer is almost surely the wrong file or an empty server.
const DefaultMinRows = "accounts:1,peers:1"

// ParseMinRows reads CLONE_MIN_ROWS ("table:count,…"). An empty value
// means no guard.
func ParseMinRows(v string) (map[string]int, error) {
	out := map[string]int{}
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		table, count, ok := strings.Cut(item, ":")
		n, err := strconv.Atoi(strings.TrimSpace(count))
		table = strings.TrimSpace(table)
		if !ok || err != nil || n < 0 || table == "" || strings.ContainsAny(table, `"' `) {
			return nil, fmt.Errorf("CLONE_MIN_ROWS: expected table:count (e.g. %s), got %q", DefaultMinRows, item)
		}
		out[table] = n
	}
	return out, nil
}

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
