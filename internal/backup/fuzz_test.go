package backup

import (
	"strings"
	"testing"
)

// FuzzExcluded: BACKUP_EXCLUDE matching never panics and ignores case.
func FuzzExcluded(f *testing.F) {
	f.Fuzz(func(t *testing.T, pattern, name string) {
		a := excluded([]string{pattern}, name)
		b := excluded([]string{strings.ToUpper(pattern)}, strings.ToLower(name))
		if a != b && strings.ToLower(strings.ToUpper(pattern)) == strings.ToLower(pattern) && strings.ToLower(name) == strings.ToLower(strings.ToUpper(name)) {
			t.Fatalf("case matters: %q vs %q", pattern, name)
		}
	})
}
