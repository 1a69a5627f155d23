package event

import (
	_ "embed"
	"strconv"
	"strings"
)

// activities.tsv is every audit activity NetBird v0.77.1 emits: the number
// its activity store keeps, its Go name, the API's activity_code and the
// server's own text for it. The API source and the events.db source read
// this one table.
//
//go:embed activities.tsv
var activitiesTSV string

// Code is a known activity: its stored number, its code and the server's
// description of it.
type Code struct {
	Number         int
	Code, Activity string
}

// KnownCodes lists every audit activity of the NetBird server, by number.
var KnownCodes = parseCodes(activitiesTSV)

// byNumber indexes KnownCodes by the number events.db stores.
var byNumber = func() map[int]Code {
	m := make(map[int]Code, len(KnownCodes))
	for _, c := range KnownCodes {
		m[c.Number] = c
	}
	return m
}()

// ByNumber is the activity events.db stores as n.
func ByNumber(n int) (Code, bool) {
	c, ok := byNumber[n]
	return c, ok
}

func parseCodes(tsv string) []Code {
	var out []Code
	for i, line := range strings.Split(strings.TrimSpace(tsv), "\n") {
		if i == 0 {
			continue // header: number, name, code, activity
		}
		f := strings.Split(line, "\t")
		if len(f) < 4 {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(f[0]))
		if err != nil {
			continue
		}
		out = append(out, Code{Number: n, Code: strings.TrimSpace(f[2]), Activity: strings.TrimSpace(f[3])})
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
