package render

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
)

// hostile are names whoever enrols a device or creates a group may choose.
var hostile = []string{
	"@channel", "@all", "@here", "<!channel>", "<!here|here>", "<@U024BE7LH>",
	"[click](http://evil.example)", "![x](http://evil.example/pixel.png)",
	"**bold** _it_ ~~strike~~ `code`", "<http://evil.example|login>", "line one\nline two",
	"<users/all>", "<users/123456789012345678901>", "*bold* ~strike~", "&lt;users/all&gt;",
}

func hostileEvent(v string) event.Event {
	return event.Event{ID: 1, Timestamp: "2026-05-21T13:22:00Z", ActivityCode: "peer.setupkey.add", InitiatorName: v, TargetID: v,
		Meta:    event.Meta{{Key: "name", Value: v}, {Key: "ip", Value: "100.64.0.1"}, {Key: "note", Value: v}},
		Changes: []event.Change{{Path: "groups", Before: v, After: "`x`"}}}
}

// What each service would act on, written from its documentation, not
// from the escaping code.
var (
	mdLink       = regexp.MustCompile(`(^|[^\\])!?\[[^\]]*[^\\]\]\(`) // [text]( or ![alt]( not escaped
	mdMention    = regexp.MustCompile(`(^|[\s(])@(channel|all|here)\b`)
	slackSpecial = regexp.MustCompile(`<[!@#]|<https?:`) // <!channel>, <@U…>, <http…|…>
	// Google Chat's text markup: <users/…> mentions, <url|text> links,
	// and *bold*, _italic_, ~strike~ between word edges.
	googleSpecial = regexp.MustCompile(`<(users/|https?:)|&lt;users/`)
)

func TestValuesFromTheAPIAreInertInEveryChatMarkup(t *testing.T) {
	for name, mk := range map[string]Markup{"mattermost": Mattermost, "discord": Discord, "teams": Teams, "slack": Slack, "googlechat": GoogleChat} {
		for _, v := range hostile {
			line := mk.Line(hostileEvent(v), time.UTC)
			require.NotContains(t, line, "\n  •\n", name)
			require.Equal(t, 2, strings.Count(line, "\n")+1, "%s: only the diff bullet starts a new line: %q", name, line)
			require.False(t, mdMention.MatchString(outsideCode(line)), "%s: a live mention in %q", name, line)
			if name == "googlechat" {
				require.False(t, googleSpecial.MatchString(line), "googlechat: a mention or link in %q", line)
				for _, f := range []string{"*bold*", "_it_", "~strike~", "~~strike~~"} {
					require.NotContains(t, outsideCode(line), f, "googlechat: formatting from a value in %q", line)
				}
				continue
			}
			if name == "slack" {
				require.False(t, slackSpecial.MatchString(line), "slack: a control sequence in %q", line)
				require.NotContains(t, outsideCode(line), "**bold**", line)
				continue
			}
			require.False(t, mdLink.MatchString(outsideCode(line)), "%s: a live link in %q", name, line)
			require.NotContains(t, outsideCode(line), "**bold**", "%s: emphasis from a value: %q", name, line)
			require.NotRegexp(t, `(^|[^\\])<http`, outsideCode(line), name)
		}
	}
}

func TestEscapedValuesStillReadAsTheyAre(t *testing.T) {
	line := Mattermost.Line(hostileEvent("[click](http://evil.example)"), time.UTC)
	require.Contains(t, line, `\[click\](http://evil.example)`, "CommonMark shows the backslashed brackets as brackets")
	require.Contains(t, Mattermost.Line(hostileEvent("@channel"), time.UTC), "@\u2060channel", "a word joiner: reads the same, pings nobody")
	require.Contains(t, Mattermost.Line(hostileEvent("ci_runner_69"), time.UTC), "ci_runner_69", "an underscore inside a word is left alone")
	require.Contains(t, Mattermost.Line(hostileEvent("a@b.example"), time.UTC), "a@b.example", "an e-mail address is not a mention")
	require.Contains(t, Slack.Line(hostileEvent("<!channel>"), time.UTC), "&lt;!channel&gt;")
}

func TestCleanShowsControlCharacters(t *testing.T) {
	require.Equal(t, `a\nb\r\tc\x1b[2Jd\x7f\u202e`, Clean("a\nb\r\tc\x1b[2Jd\x7f\u202e"))
	require.Equal(t, "plain ünïcode", Clean("plain ünïcode"))
}

// outsideCode is the line without its code spans, which no service reads
// as markdown or mentions.
func outsideCode(s string) string {
	return regexp.MustCompile("`[^`]*`").ReplaceAllString(s, "")
}

func TestAStdoutLineIsOneLineWithNoTerminalControl(t *testing.T) {
	e := event.Event{ID: 1, Timestamp: "2026-05-21T13:22:00Z", ActivityCode: "group.add\x1b]0;owned\x07", Activity: "Group created\n2026-05-21 13:22:01  user.delete  admin  User deleted",
		InitiatorName: "\x1b[2J\x1b[Halice", TargetID: "t\r\n", Changes: []event.Change{{Path: "name\n", Before: "a", After: "b\x1b[31m"}}}
	for _, l := range []string{Line(e, time.UTC), ColorLine(e, time.UTC)} {
		require.NotContains(t, l, "\n")
		require.NotContains(t, l, "\r")
		require.NotContains(t, l, "\x07")
		for i := strings.Index(l, "\x1b"); i >= 0; i = strings.Index(l, "\x1b") {
			require.Regexp(t, `^\x1b\[[0-9;]*m`, l[i:], "only birdseye's own colours: %q", l)
			l = l[i+1:]
		}
	}
	require.Contains(t, Line(e, time.UTC), `\x1b[2J\x1b[Halice`)
}
