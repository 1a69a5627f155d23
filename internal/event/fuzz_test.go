package event

import "testing"

// FuzzGlob checks that any pattern either is rejected or matches without
// panicking, and that a pattern without wildcards matches only itself.
func FuzzGlob(f *testing.F) {
	for _, s := range []string{"*", "policy.*", "[a-z]*", "[!x]?", "[]]", "a*b*c*d", "peer.[ls]*"} {
		f.Add(s, "policy.update")
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		g, err := ParseGlob(pattern)
		if err != nil {
			return
		}
		got := g.Match(s)
		plain := true
		for _, c := range pattern {
			if c == '*' || c == '?' || c == '[' {
				plain = false
			}
		}
		if plain && got != (pattern == s) {
			t.Fatalf("literal %q vs %q: %v", pattern, s, got)
		}
		if pattern == "*" && !got {
			t.Fatalf("* must match %q", s)
		}
	})
}
