package render

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
)

// The old tool's verified Mattermost lines (TZ=Europe/Berlin).
func TestMarkdownLinesMatchTheOldTool(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"id":"1","timestamp":"2026-05-21T10:58:43Z","activity_code":"peer.login.expired","initiator_name":"Andre Keller","target_id":"p9",
		   "meta":{"name":"chuckcybermac.local","ip":"10.48.231.168","fqdn":"x","location_city_name":"Nuremberg","location_country_code":"DE","location_geo_name_id":123,"location_connection_ip":"2003:a:172b::1"}}`,
			"`2026-05-21 12:58:43`  **Peer login expired**: chuckcybermac.local · `10.48.231.168` · Nuremberg, DE  _Andre Keller_"},
		{`{"id":"2","timestamp":"2026-05-21T11:21:07Z","activity_code":"user.delete","initiator_name":"Wim Bonis","meta":{"username":"Bonis","email":"bonis@bonis.de","is_service_user":"False"}}`,
			"`2026-05-21 13:21:07`  **User deleted**: Bonis (bonis@bonis.de)  _Wim Bonis_  · is_service_user='False'"},
		{`{"id":"3","timestamp":"2026-05-21T11:22:00Z","activity_code":"policy.update","initiator_email":"svc@example.com","meta":{"name":"SSH Access","extra":{"a":1},"list":[1,"x"],"quote":"it's"}}`,
			"`2026-05-21 13:22:00`  **Policy updated**: SSH Access  _svc@example.com_  · extra=`{'a': 1}` list='\\[1, 'x'\\]' quote='it's'"},
		// Codes outside the old table are labelled with the server's own text.
		{`{"id":"4","timestamp":"2026-05-21T09:23:00Z","activity_code":"account.setting.peer.login.expiration.update","initiator_id":"sys","meta":{"new_value":"24h0m0s","old_value":"12h"}}`,
			"`2026-05-21 11:23:00`  **Account peer login expiration duration updated**  · new_value='24h0m0s' old_value='12h'"},
		{`{"id":"5","timestamp":"2026-05-21T11:24:00Z","activity_code":"integration.foo_bar.create","initiator_id":"unknown-id-1"}`,
			"`2026-05-21 13:24:00`  **Integration foo bar create**  _id:unknown-id-1_"},
		{`{"id":"6","timestamp":"garbage"}`, "`garbage`  **Event**"},
		{`{"id":"7","timestamp":"2026-05-21T11:26:00Z","activity_code":"route.add","initiator_id":"k1","initiator_label":"setup-key:office-key","meta":{"name":"net-a","network_range":"10.0.0.0/8"}}`,
			"`2026-05-21 13:26:00`  **Route created**: net-a  _setup-key:office-key_  · network_range='10.0.0.0/8'"},
		{`{"id":"8","timestamp":"2026-05-20T22:02:58Z","activity_code":"group.update","initiator_name":"Wim Bonis","meta":{"old_name":"Bensheim-User","new_name":"Bensheim-Users"}}`,
			"`2026-05-21 00:02:58`  **Group updated**: \"Bensheim-User\" → \"Bensheim-Users\"  _Wim Bonis_"},
	}
	for _, c := range cases {
		require.Equal(t, c.want, MarkdownLine(decode(t, c.in), berlin(t)))
	}
}

func TestEveryRealActivityCodeHasALabel(t *testing.T) {
	for _, c := range event.KnownCodes {
		l := labelFor(c.Code)
		require.NotEmpty(t, l.text, c.Code)
		require.NotEqual(t, "Event", l.text, c.Code)
	}
	require.Equal(t, "Group added to peer", labelFor("peer.group.add").text, "the server's own text")
	require.Equal(t, "Peer joined via setup key", labelFor("peer.setupkey.add").text, "the old tool's label under the real code")
}

func TestValuesWithColonsAreCodeSpans(t *testing.T) {
	e := decode(t, `{"id":"1","timestamp":"2026-11-23T07:13:07Z","activity_code":"peer.setupkey.add","initiator_id":"sys","meta":{"name":"db","ip":"100.77.245.243","ipv6":"fd69:8849:106:8d4f::1","when":"07:13"}}`)
	require.Equal(t, "`2026-11-23 07:13:07`  **Peer joined via setup key**: db · `100.77.245.243`  · ipv6=`fd69:8849:106:8d4f::1` when=`07:13`", MarkdownLine(e, time.UTC))
}
