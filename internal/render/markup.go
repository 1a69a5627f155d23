package render

import (
	"fmt"
	"strings"
	"unicode"
)

// Markup is a chat service's markdown as far as values from the API go.
// Whoever enrols a device names it, so a peer called `@channel`,
// `<!channel>` or `[click](http://evil)` must not ping a channel, plant a
// link or load an image: only birdseye's own formatting is markdown, every
// value is inert text, escaped by the service's own rules.
type Markup struct {
	text func(string) string // a value in running text
	code func(string) string // the inside of a code span
}

// The chat services' markups.
var (
	// Mattermost and Discord read CommonMark: a backslash makes any ASCII
	// punctuation literal, and nothing inside a code span is markdown or a
	// mention. Mattermost also notifies for @channel/@all/@here/@name in
	// plain text: a word joiner after the @ keeps the text and breaks the
	// mention. (Discord's payload turns every mention off as well.)
	Mattermost = Markup{text: commonMark, code: inCode}
	Discord    = Mattermost
	// Slack's mrkdwn has no backslash escapes; it wants &, < and > as
	// entities everywhere (<!channel> and <url|text> are its only links
	// and mentions), and a value with *, _, ~ or ` goes in a code span.
	Slack = Markup{text: slackText, code: slackCode}
	// Teams cards have no code spans (birdseye strips the backticks), so a
	// value is always escaped as running text.
	Teams = Markup{text: commonMark, code: commonMark}
	// Telegram gets HTML (parse_mode HTML): &, < and > as entities, and the
	// characters birdseye's own lines use for bold, code and italics as
	// numeric entities, so no value can open a tag or a span; an @ that
	// starts a word gets a word joiner (no mention).
	Telegram = Markup{text: telegramText, code: telegramText}
	// Google Chat's text markup is Slack's in other words: *bold*,
	// _italic_, ~strike~, `code`, <url|text> links and <users/…>
	// mentions, and no escape at all. A value with a formatting character
	// goes in a code span; a word joiner after every < (and &, in case an
	// entity is read) keeps it from opening a link or a mention.
	GoogleChat = Markup{text: googleText, code: googleCode}
)

var googleBreaks = strings.NewReplacer("<", "<\u2060", "&", "&\u2060")

func googleText(s string) string {
	if strings.ContainsAny(s, "*_~`") {
		return "`" + googleCode(s) + "`"
	}
	return breakMentions(googleBreaks.Replace(Clean(s)))
}

func googleCode(s string) string {
	return googleBreaks.Replace(strings.ReplaceAll(Clean(s), "`", "ˋ"))
}

var telegramEntities = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "*", "&#42;", "`", "&#96;", "_", "&#95;")

func telegramText(s string) string { return breakMentions(telegramEntities.Replace(Clean(s))) }

// Value is v as running text, or as a code span when it holds a colon
// (Mattermost reads `:xx:` as an emoji and would mangle IPv6 addresses).
func (m Markup) Value(v string) string {
	if strings.Contains(v, ":") {
		return m.Span(v)
	}
	return m.text(v)
}

// Span is v in a code span.
func (m Markup) Span(v string) string { return "`" + m.code(v) + "`" }

// Words is Value word by word, for text birdseye composed from values
// ("alice ×3, db-server tcp/5432").
func (m Markup) Words(s string) string {
	words := strings.Split(s, " ")
	for i, w := range words {
		core, colon := strings.CutSuffix(w, ":")
		words[i] = m.Value(core)
		if colon {
			words[i] += ":"
		}
	}
	return strings.Join(words, " ")
}

// commonMarkSpecial are what can start markdown in the middle of a line:
// emphasis, code, strikethrough, links and images ([…](…), ![…](…)),
// autolinks and HTML (<…>). A value never starts a line (newlines are
// escaped by Clean), so headings, lists and tables cannot begin in one.
const commonMarkSpecial = "\\`*~[]<>"

func commonMark(s string) string {
	rs := []rune(Clean(s))
	var b strings.Builder
	for i, r := range rs {
		prevWord := i > 0 && wordRune(rs[i-1])
		nextWord := i+1 < len(rs) && wordRune(rs[i+1])
		switch {
		case r < 0x80 && strings.ContainsRune(commonMarkSpecial, r),
			// An underscore inside a word (is_service_user) is never
			// emphasis; at a word's edge it may be.
			r == '_' && !(prevWord && nextWord):
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	// A mention starts a word (alice@example.com is none): a word joiner
	// keeps the text as it reads and breaks the mention.
	return breakMentions(b.String())
}

func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// inCode is the inside of a CommonMark code span: nothing is markdown
// there, only a backtick would end it early.
func inCode(s string) string { return strings.ReplaceAll(Clean(s), "`", "ˋ") }

var slackEntities = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func slackText(s string) string {
	if strings.ContainsAny(s, "*_~`") {
		return "`" + slackCode(s) + "`"
	}
	return breakMentions(slackEntities.Replace(Clean(s)))
}

// breakMentions puts a word joiner after an @ that starts a word.
func breakMentions(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		b.WriteRune(r)
		if r == '@' && (i == 0 || !wordRune(rs[i-1])) {
			b.WriteRune('\u2060')
		}
	}
	return b.String()
}

func slackCode(s string) string {
	return slackEntities.Replace(strings.ReplaceAll(Clean(s), "`", "ˋ"))
}

// Clean makes control characters visible, the way Python's repr shows
// them (\n, \r, \t, \x1b): a crafted name must not retitle or clear a
// terminal with ANSI escapes, nor forge a second line in a log or a chat.
func Clean(s string) string {
	clean := true
	for _, r := range s {
		if unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case unsafeRune(r) && r <= 0xff:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unsafeRune: C0 and C1 controls, DEL, and the bidirectional overrides
// that make text read in another order than it is.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}
