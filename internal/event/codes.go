package event

import (
	_ "embed"
	"strings"
)

// activity-codes.tsv is every audit activity_code NetBird v0.77.1 emits, with
// the server's own text for it.
//
//go:embed activity-codes.tsv
var codesTSV string

// Code is a known activity code and the server's description of it.
type Code struct {
	Code, Activity string
}

// KnownCodes lists every audit activity code of the NetBird server, in the
// server's order.
var KnownCodes = parseCodes(codesTSV)

func parseCodes(tsv string) []Code {
	var out []Code
	for i, line := range strings.Split(strings.TrimSpace(tsv), "\n") {
		if i == 0 {
			continue // header
		}
		code, activity, _ := strings.Cut(line, "\t")
		out = append(out, Code{Code: strings.TrimSpace(code), Activity: strings.TrimSpace(activity)})
	}
	return out
}

// MatchesNoKnownCode reports whether g matches none of the server's codes, which
// almost always means a typo (the old tool's default `personalaccesstoken.*`
// is one: the real codes are `personal.access.token.*`). Patterns for
// birdseye's own synthetic codes (`birdseye.*`) are not flagged.
func MatchesNoKnownCode(g Glob) bool {
	if strings.HasPrefix(g.pattern, "birdseye.") {
		return false
	}
	for _, c := range KnownCodes {
		if g.Match(c.Code) {
			return false
		}
	}
	return true
}
