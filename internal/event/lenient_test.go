package event

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecodeKeepsAWellFormedEntryAsIs(t *testing.T) {
	e, problem := Decode([]byte(`{"id":"5","activity_code":"group.add","meta":{"name":"g"}}`), 5)
	require.Empty(t, problem)
	require.Equal(t, Event{ID: 5, ActivityCode: "group.add", Meta: Meta{{Key: "name", Value: "g"}}}, e)
}

func TestDecodeKeepsFieldsOfAnUnexpectedTypeAsJSONText(t *testing.T) {
	for raw, want := range map[string]Event{
		`{"id":"1","meta":"plain"}`:                        {ID: 1, Meta: Meta{{Key: "raw", Raw: []byte(`"plain"`)}}},
		`{"id":"1","meta":[1, 2]}`:                         {ID: 1, Meta: Meta{{Key: "raw", Raw: []byte(`[1,2]`)}}},
		`{"id":"1","timestamp":1700000000}`:                {ID: 1, Timestamp: "1700000000"},
		`{"id":"1","activity_code":17,"target_id":4.5}`:    {ID: 1, ActivityCode: "17", TargetID: "4.5"},
		`{"id":"1","initiator_name":{"a": "b"}}`:           {ID: 1, InitiatorName: `{"a":"b"}`},
		`{"id":"1","initiator_email":true,"extra":[{}]}`:   {ID: 1, InitiatorEmail: "true"},
		`{"id":"1","activity":null,"activity_code":["x"]}`: {ID: 1, ActivityCode: `["x"]`},
	} {
		e, problem := Decode([]byte(raw), 1)
		require.Equal(t, want, e, raw)
		require.Contains(t, problem, "fields of an unexpected type", raw)
	}
}

func TestDecodeTurnsAnEntryThatIsNotJSONIntoANoticeWithItsIDAndText(t *testing.T) {
	raw := `{"id":"9","meta":{"a":}}`
	e, problem := Decode([]byte(raw), 9)
	require.Contains(t, problem, "not valid JSON")
	require.Equal(t, ID(9), e.ID)
	require.Equal(t, CodeUnreadable, e.ActivityCode)
	require.Equal(t, raw, e.Meta.Get("raw"))

	long := `{"id":"9","x":"` + strings.Repeat("é", 5000) + `",}`
	e, _ = Decode([]byte(long), 9)
	require.LessOrEqual(t, len(e.Meta.Get("raw")), unreadableMax)
	require.True(t, strings.HasSuffix(e.Meta.Get("raw"), "é"), "cut on a character boundary")
	require.Equal(t, "10018", e.Meta.Get("bytes"))
}
