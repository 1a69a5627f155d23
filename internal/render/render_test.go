package render

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
)

func decode(t *testing.T, s string) event.Event {
	t.Helper()
	var e event.Event
	require.NoError(t, json.Unmarshal([]byte(s), &e))
	return e
}

func berlin(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	return loc
}

// The samples are the old tool's verified output (TZ=Europe/Berlin).
func TestLineMatchesTheOldToolByteForByte(t *testing.T) {
	cases := []struct{ in, want string }{
		{
			`{"id":"1","timestamp":"2026-05-21T10:58:43.123456789Z","activity":"Peer login expired","activity_code":"peer.login.expired","initiator_name":"Andre Keller","target_id":"p9",
			  "meta":{"name":"chuckcybermac.local","ip":"10.48.231.168","fqdn":"x","location_city_name":"Nuremberg","location_country_code":"DE","location_geo_name_id":123,"location_connection_ip":"2003:a:172b::1"}}`,
			"2026-05-21 12:58:43  peer.login.expired            Andre Keller          Peer login expired  target=p9  name='chuckcybermac.local' ip='10.48.231.168' fqdn='x' location_city_name='Nuremberg' location_country_code='DE' location_geo_name_id=123 location_connection_ip='2003:a:172b::1'",
		},
		{
			`{"id":"2","timestamp":"2026-05-21T11:22:00Z","activity":"Policy updated","activity_code":"policy.update","initiator_email":"svc@example.com","target_id":"pol1",
			  "meta":{"name":"SSH Access","extra":{"a":1},"list":[1,"x"],"empty":"","none":null,"quote":"it's"}}`,
			`2026-05-21 13:22:00  policy.update                 svc@example.com       Policy updated  target=pol1  name='SSH Access' extra={'a': 1} list=[1, 'x'] empty='' none=None quote="it's"`,
		},
		{
			`{"id":"3","timestamp":"2026-05-21T09:23:00Z","activity":"Account setting changed","activity_code":"account.setting.peer.login.expiration.update","initiator_id":"sys","target_id":"acc1","meta":{"new_value":"24h0m0s","old_value":"12h"}}`,
			"2026-05-21 11:23:00  account.setting.peer.login.expiration.update  system                Account setting changed  target=acc1  new_value='24h0m0s' old_value='12h'",
		},
		{
			`{"id":"4","timestamp":"2026-05-21T11:24:00Z","activity":"Something new","activity_code":"integration.foo_bar.create","initiator_id":"unknown-id-1"}`,
			"2026-05-21 13:24:00  integration.foo_bar.create    id:unknown-id-1       Something new",
		},
		{
			`{"id":"5","timestamp":"garbage","target_id":"t"}`,
			"garbage                                system                  target=t",
		},
	}
	for _, c := range cases {
		require.Equal(t, c.want, Line(decode(t, c.in), berlin(t)))
	}
}

// The initiator is padded to 20, never cut: setup-key:office-202 would read
// as another key than setup-key:office-2026.
func TestLineUsesTheResolvedInitiatorWhole(t *testing.T) {
	e := decode(t, `{"id":"1","timestamp":"2026-11-23T07:13:07Z","activity":"Peer added","activity_code":"peer.setupkey.add","initiator_id":"dc1uf0tqmd2qmv54vk30"}`)
	e.InitiatorLabel = "setup-key:office-2026-long-name"
	require.Equal(t, "2026-11-23 07:13:07  peer.setupkey.add             setup-key:office-2026-long-name  Peer added", Line(e, time.UTC))
	e.InitiatorLabel = "alice"
	require.Equal(t, "2026-11-23 07:13:07  peer.setupkey.add             alice                 Peer added", Line(e, time.UTC))
}

func TestReprFollowsPython(t *testing.T) {
	for in, want := range map[string]string{
		"plain":        `'plain'`,
		"it's":         `"it's"`,
		`say "hi"`:     `'say "hi"'`,
		`both ' and "`: `'both \' and "'`,
		"tab\there":    `'tab\there'`,
		"nl\nx\ry":     `'nl\nx\ry'`,
		"back\\slash":  `'back\\slash'`,
		"\u200b":       `'\u200b'`,
		"\x7f":         `'\x7f'`,
		"\x00":         `'\x00'`,
		"üñí":          `'üñí'`,
		"\U000E0001":   `'\U000e0001'`,
		"a\u00a0b":     `'a\xa0b'`,
	} {
		require.Equal(t, want, Repr(in), "%q", in)
	}
}

func TestReprJSONFollowsPython(t *testing.T) {
	for in, want := range map[string]string{
		`1`:                             `1`,
		`123456789012345678901`:         `123456789012345678901`,
		`1.0`:                           `1.0`,
		`0.1`:                           `0.1`,
		`1e20`:                          `1e+20`,
		`1.5e-7`:                        `1.5e-07`,
		`2.643743e+06`:                  `2643743.0`,
		`1e15`:                          `1000000000000000.0`,
		`1e16`:                          `1e+16`,
		`true`:                          `True`,
		`null`:                          `None`,
		`{"b":[1,{"c":false}],"a":"x"}`: `{'b': [1, {'c': False}], 'a': 'x'}`,
	} {
		require.Equal(t, want, ReprJSON(json.RawMessage(in)), in)
	}
}

func TestColorLineOnlyAddsColours(t *testing.T) {
	e := decode(t, `{"id":"1","timestamp":"2026-11-23T07:13:10Z","activity":"Policy updated","activity_code":"policy.update","initiator_name":"Admin","target_id":"p1","meta":{"name":"x"}}`)
	c := ColorLine(e, time.UTC)
	require.Contains(t, c, "\x1b[36mpolicy.update"+strings.Repeat(" ", 28-len("policy.update"))+"\x1b[0m")
	require.Contains(t, c, "\x1b[1mAdmin")
	require.Equal(t, Line(e, time.UTC), regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(c, ""))
}

// Meta keys come from the API as values do: escaped alike on stdout.
func TestMetaKeysAreEscapedAsValuesAre(t *testing.T) {
	e := event.Event{ID: 1, Timestamp: "2026-11-29T15:40:03Z", ActivityCode: "group.add", Activity: "Group created",
		Meta: event.Meta{{Key: "na\x1b[2Jme\u202e", Value: "v"}}}
	l := Line(e, time.UTC)
	require.NotContains(t, l, "\x1b")
	require.NotContains(t, l, "\u202e")
	require.Contains(t, l, `na\x1b[2Jme\u202e=`)
}
