package event

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGlobMatchesLikePythonFnmatchcase(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "peer.login.expire", true},
		{"policy.*", "policy.update", true},
		{"policy.*", "policy", false},
		{"policy.*", "Policy.update", false}, // case-sensitive
		{"*.update", "posture.check.update", true},
		{"user.?oin", "user.join", true},
		{"user.?oin", "user.jjoin", false},
		{"peer.[ls]*", "peer.login.expire", true},
		{"peer.[ls]*", "peer.setupkey.add", true},
		{"peer.[ls]*", "peer.user.add", false},
		{"peer.[!ls]*", "peer.user.add", true},
		{"peer.[a-m]*", "peer.login.expire", true},
		{"peer.[a-m]*", "peer.user.add", false},
		{"[]x]", "]", true},
		{"[!]x]", "a", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
		{"gr?p", "grüup", false},
		{"gr?p", "grüp", true},
		{"policy.update", "policy.update", true},
		{"policy.update", "policy.update2", false},
	}
	for _, c := range cases {
		g, err := ParseGlob(c.pattern)
		require.NoError(t, err, c.pattern)
		require.Equal(t, c.want, g.Match(c.s), "%q vs %q", c.pattern, c.s)
	}
}

func TestGlobRejectsUnclosedBracket(t *testing.T) {
	_, err := ParseGlob("peer.[login")
	require.ErrorContains(t, err, `pattern "peer.[login": '[' at position 6 is never closed`)
}

func TestParseGlobListTrimsAndDropsEmptyItems(t *testing.T) {
	gs, err := ParseGlobList(" policy.* , ,user.*,")
	require.NoError(t, err)
	require.Len(t, gs, 2)
	require.Equal(t, "policy.*", gs[0].String())
	require.Equal(t, "user.*", gs[1].String())
}

func TestFilterIncludeMinusExclude(t *testing.T) {
	inc, _ := ParseGlobList("*")
	exc, _ := ParseGlobList("peer.login.expire,user.peer.*")
	f := Filter{Include: inc, Exclude: exc}
	require.True(t, f.Allow("policy.update"))
	require.False(t, f.Allow("peer.login.expire"))
	require.False(t, f.Allow("user.peer.login"))
	require.False(t, Filter{}.Allow("policy.update"), "an empty include list passes nothing")
}

func TestKnownCodesAreTheServersList(t *testing.T) {
	require.Len(t, KnownCodes, 143)
	require.Equal(t, Code{0, "peer.user.add", "Peer added"}, KnownCodes[0])
	c, ok := ByNumber(16) // events.db stores group.add as 16
	require.True(t, ok)
	require.Equal(t, "group.add", c.Code)
	_, ok = ByNumber(9999)
	require.False(t, ok)
}

func TestMatchesNoKnownCodeFlagsTheOldDefaultTypo(t *testing.T) {
	for p, want := range map[string]bool{
		"personalaccesstoken.*":   true,
		"personal.access.token.*": false,
		"policy.*":                false,
		"birdseye.peer.*":         false,
		"*":                       false,
	} {
		g, err := ParseGlob(p)
		require.NoError(t, err)
		require.Equal(t, want, MatchesNoKnownCode(g), p)
	}
}

func TestAFilterOverLabelsPassesOnOneIncludedLabelAndNoExcludedOne(t *testing.T) {
	globs := func(s string) []Glob { g, err := ParseGlobList(s); require.NoError(t, err); return g }
	f := Filter{Include: globs("TYPE_DROP"), Exclude: globs("ROUTED")}
	require.True(t, f.AllowAny([]string{"TYPE_START", "TYPE_DROP", "P2P"}))
	require.False(t, f.AllowAny([]string{"TYPE_DROP", "ROUTED"}), "an excluded label wins")
	require.False(t, f.AllowAny([]string{"TYPE_START", "TYPE_END", "P2P"}))
	require.False(t, f.AllowAny(nil))
	require.True(t, Filter{Include: globs("*")}.AllowAny([]string{"x"}))
}
