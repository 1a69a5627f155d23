package event

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDecodeKeepsMetaOrderAndNonStringValues(t *testing.T) {
	var e Event
	err := json.Unmarshal([]byte(`{"id":"42","activity_code":"policy.update","meta":{"z":"1","a":7,"m":null,"l":["x"]}}`), &e)
	require.NoError(t, err)
	require.Equal(t, ID(42), e.ID)
	require.Equal(t, []string{"z", "a", "m", "l"}, []string{e.Meta[0].Key, e.Meta[1].Key, e.Meta[2].Key, e.Meta[3].Key})
	require.Equal(t, "1", e.Meta.Get("z"))
	require.JSONEq(t, `7`, string(e.Meta[1].Raw))

	out, err := json.Marshal(e.Meta)
	require.NoError(t, err)
	require.Equal(t, `{"z":"1","a":7,"m":null,"l":["x"]}`, string(out))
}

func TestIDAcceptsStringAndNumberAndRejectsGarbage(t *testing.T) {
	var id ID
	require.NoError(t, json.Unmarshal([]byte(`"10"`), &id))
	require.Equal(t, ID(10), id)
	require.NoError(t, json.Unmarshal([]byte(`11`), &id))
	require.Equal(t, ID(11), id)
	require.Error(t, json.Unmarshal([]byte(`"x1"`), &id))
	require.Error(t, json.Unmarshal([]byte(`"-1"`), &id))
	b, _ := json.Marshal(ID(12))
	require.Equal(t, `"12"`, string(b))
}

func TestNullMetaIsEmpty(t *testing.T) {
	var e Event
	require.NoError(t, json.Unmarshal([]byte(`{"id":"1","meta":null}`), &e))
	require.Empty(t, e.Meta)
}

func TestParseTimeForms(t *testing.T) {
	ts, ok := ParseTime("2026-11-23T07:13:10.474753658Z")
	require.True(t, ok)
	require.Equal(t, 474753658, ts.Nanosecond())
	_, ok = ParseTime("2026-11-23 07:13:10")
	require.True(t, ok)
	ts, ok = ParseTime("2026-11-23T07:13:10+02:00")
	require.True(t, ok)
	require.Equal(t, 5, ts.UTC().Hour())
	_, ok = ParseTime("garbage")
	require.False(t, ok)
	_, ok = ParseTime("")
	require.False(t, ok)
	_ = time.UTC
}

func TestEverySampleEventDecodes(t *testing.T) {
	b, err := os.ReadFile("../netbird/testdata/events_audit.json")
	require.NoError(t, err)
	var evs []Event
	require.NoError(t, json.Unmarshal(b, &evs))
	require.Len(t, evs, 24)
	for _, e := range evs {
		require.NotZero(t, e.ID)
		require.NotEmpty(t, e.ActivityCode)
		_, ok := e.Time()
		require.True(t, ok, e.Timestamp)
	}
}

// An id beyond int64 is said as that, not as "not an integer".
func TestAnIDBeyondInt64IsSaidAsSuch(t *testing.T) {
	_, err := ParseID([]byte(`"99999999999999999999"`))
	require.ErrorContains(t, err, "beyond the largest id birdseye keeps (2^63-1)")
}
