package event

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Glob is one shell-style pattern over activity codes, with the semantics of
// Python's fnmatch.fnmatchcase that the old tool used: case-sensitive, whole
// string, `*` matches any run (dots included), `?` one character, `[seq]` and
// `[!seq]` classes with ranges. Unlike fnmatch, an unclosed `[` is rejected:
// it cannot be meant for an activity code and is almost always a typo.
type Glob struct {
	pattern string
}

// ParseGlob checks a pattern.
func ParseGlob(p string) (Glob, error) {
	for i := 0; i < len(p); i++ {
		if p[i] != '[' {
			continue
		}
		end := classEnd(p, i)
		if end < 0 {
			return Glob{}, fmt.Errorf("pattern %q: '[' at position %d is never closed", p, i+1)
		}
		i = end
	}
	return Glob{pattern: p}, nil
}

func (g Glob) String() string { return g.pattern }

// classEnd returns the index of the ']' closing the class opened at p[i], or -1.
// As in fnmatch, a ']' right after '[' or '[!' is a literal member.
func classEnd(p string, i int) int {
	j := i + 1
	if j < len(p) && p[j] == '!' {
		j++
	}
	if j < len(p) && p[j] == ']' {
		j++
	}
	for ; j < len(p); j++ {
		if p[j] == ']' {
			return j
		}
	}
	return -1
}

// Match reports whether s matches the whole pattern.
func (g Glob) Match(s string) bool { return match(g.pattern, s) }

func match(p, s string) bool {
	// Iterative matcher with single-star backtracking: linear in practice and
	// never exponential, which matters because patterns come from users.
	var starP, starS = -1, 0
	pi, si := 0, 0
	for si < len(s) {
		if pi < len(p) {
			switch p[pi] {
			case '*':
				starP, starS = pi, si
				pi++
				continue
			case '?':
				_, w := utf8.DecodeRuneInString(s[si:])
				pi++
				si += w
				continue
			case '[':
				end := classEnd(p, pi)
				r, w := utf8.DecodeRuneInString(s[si:])
				if classMatch(p[pi+1:end], r) {
					pi = end + 1
					si += w
					continue
				}
			default:
				if p[pi] == s[si] {
					pi++
					si++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		_, w := utf8.DecodeRuneInString(s[starS:])
		starS += w
		pi, si = starP+1, starS
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func classMatch(class string, r rune) bool {
	negate := strings.HasPrefix(class, "!")
	if negate {
		class = class[1:]
	}
	found := false
	for i := 0; i < len(class); {
		lo, w := utf8.DecodeRuneInString(class[i:])
		i += w
		hi := lo
		if i+1 < len(class) && class[i] == '-' {
			h, w2 := utf8.DecodeRuneInString(class[i+1:])
			hi = h
			i += 1 + w2
		}
		if lo <= r && r <= hi {
			found = true
		}
	}
	return found != negate
}

// Filter selects events for one sink: an event passes when its activity code
// matches an include pattern and no exclude pattern. An empty include list
// passes nothing, as in the old tool.
type Filter struct {
	Include []Glob
	Exclude []Glob
}

// ParseGlobList splits a comma-separated list, trims spaces and drops empty items.
func ParseGlobList(s string) ([]Glob, error) {
	var out []Glob
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		g, err := ParseGlob(item)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// Allow reports whether an event with this activity code passes the filter.
func (f Filter) Allow(code string) bool {
	return anyMatch(f.Include, code) && !anyMatch(f.Exclude, code)
}

// AllowAny is Allow for a row of a stream that carries several labels
// (TYPE_DROP, ROUTED, EGRESS …): it passes when one label matches an
// include pattern and none matches an exclude pattern.
func (f Filter) AllowAny(labels []string) bool {
	in := false
	for _, l := range labels {
		if anyMatch(f.Exclude, l) {
			return false
		}
		in = in || anyMatch(f.Include, l)
	}
	return in
}

func anyMatch(gs []Glob, s string) bool {
	for _, g := range gs {
		if g.Match(s) {
			return true
		}
	}
	return false
}
