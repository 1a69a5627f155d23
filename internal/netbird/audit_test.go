package netbird

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
)

func TestScanAuditFindsTheTopLevelIDOnly(t *testing.T) {
	body := `[
	  {"meta":{"id":"999","x":{"id":5}},"activity":"say \"id\": 7 \\","id":"3"} ,
	  {"id":4,"meta":null},
	  {"activity_code":"no.id"},
	  {"id":"x9"},
	  {"id":null}
	]`
	list, err := ScanAudit(strings.NewReader(body), all)
	require.NoError(t, err)
	require.Equal(t, 5, list.Count)
	require.Equal(t, 3, list.BadIDs)
	require.Equal(t, event.ID(3), list.MinID)
	require.Equal(t, event.ID(4), list.MaxID)
	require.Len(t, list.Events, 2)
	require.Equal(t, `say "id": 7 \`, list.Events[0].Activity)
	require.Equal(t, "999", list.Events[0].Meta.Get("id"))
}

func TestScanAuditKeepsOddEntriesAndSamplesBadIDs(t *testing.T) {
	body := `[{"id":"3","meta":"s"},{"id":"2","meta":{"a":}},{"id":"1","activity_code":"ok"},{"id":"1x"},{"id":{"n":1}}]`
	list, err := ScanAudit(strings.NewReader(body), all)
	require.NoError(t, err)
	require.Len(t, list.Events, 3)
	require.Equal(t, []OddEntry{
		{ID: 3, Problem: "fields of an unexpected type, kept as JSON text: meta"},
		{ID: 2, Problem: list.Odd[1].Problem, Unreadable: true},
	}, list.Odd)
	require.Equal(t, event.CodeUnreadable, list.Events[1].ActivityCode)
	require.Equal(t, 2, list.BadIDs)
	require.Equal(t, []string{"1x", "(none)"}, list.BadIDSamples)
}

func TestScanAuditWorksWhateverTheReadSizes(t *testing.T) {
	body := sampleBody(t)
	whole, err := ScanAudit(strings.NewReader(body), all)
	require.NoError(t, err)
	oneByte, err := ScanAudit(iotest.OneByteReader(strings.NewReader(body)), all)
	require.NoError(t, err)
	require.Equal(t, whole, oneByte)
	var std []event.Event
	require.NoError(t, json.Unmarshal([]byte(body), &std))
	require.Equal(t, std, whole.Events)
}

func TestScanAuditRejectsWhatIsNotAnAuditList(t *testing.T) {
	for body, want := range map[string]string{
		``:                             "empty body",
		`{"message":"x","code":500}`:   "does not start with a JSON array",
		`<html></html>`:                "does not start with a JSON array",
		`[{"id":"1"},`:                 "body ends early (truncated) after 1 entries",
		`[{"id":"1","a":"unterminated`: "entry 1",
		`[{"id":"1"} {"id":"2"}]`:      "expected ',' or ']'",
		`[1,2]`:                        "entry 1 is not a JSON object",
		`[{"id":"1"}] trailing`:        "unexpected 't' after the list",
	} {
		_, err := ScanAudit(strings.NewReader(body), all)
		require.ErrorContains(t, err, want, body)
	}
	list, err := ScanAudit(strings.NewReader(" [ ]\n"), all)
	require.NoError(t, err)
	require.Zero(t, list.Count)
}

func sampleBody(t testing.TB) string {
	t.Helper()
	b, err := fixture("events_audit.json")
	require.NoError(t, err)
	return string(b)
}

func FuzzScanAuditAgreesWithEncodingJSON(f *testing.F) {
	f.Add(`[{"id":"1","meta":{"a":"b"}},{"id":"2"}]`)
	f.Add(`[]`)
	f.Add(`[{"id":"1","activity":"\"\\\u00e9"}]`)
	if b, err := fixture("events_audit.json"); err == nil {
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, body string) {
		list, err := ScanAudit(strings.NewReader(body), all)
		var std []event.Event
		stdErr := json.Unmarshal([]byte(body), &std)
		if stdErr == nil && err != nil {
			// The only lists the scanner may reject are ones encoding/json
			// accepts with an entry it cannot key: those are counted, not errors.
			t.Fatalf("valid list rejected: %v", err)
		}
		if err == nil && stdErr == nil {
			if list.Count != len(std) {
				t.Fatalf("count %d, encoding/json %d", list.Count, len(std))
			}
		}
	})
}

// One huge entry (a 50 MB event once peaked at 381 MB) is not read whole:
// past MaxEntry the scanner stops copying it and forwards an unreadable
// notice with its id and size, and the entries around it as they are. An
// entry whose id comes only after the limit cannot be forwarded and is
// counted as one without a usable id, which the log names.
func TestAnEntryOverTheSizeLimitBecomesANoticeWithItsID(t *testing.T) {
	big := strings.Repeat("x", 3*MaxEntry)
	body := `[{"id":"7","activity_code":"group.add"},` +
		`{"activity_code":"policy.update","id":"6","meta":{"blob":"` + big + `"}},` +
		`{"meta":{"blob":"` + big + `"},"id":"5"},` +
		`{"id":"4","activity_code":"group.delete"}]`
	s := scanner{r: iotest.HalfReader(strings.NewReader(body)), buf: make([]byte, 64<<10)}
	list, err := scanAudit(&s, all, nil)
	require.NoError(t, err)
	require.Equal(t, 4, list.Count)
	require.Len(t, list.Events, 3)
	require.Equal(t, "group.add", list.Events[0].ActivityCode)
	n := list.Events[1]
	require.Equal(t, event.ID(6), n.ID)
	require.Equal(t, event.CodeUnreadable, n.ActivityCode)
	require.Equal(t, fmt.Sprint(len(big)+len(`{"activity_code":"policy.update","id":"6","meta":{"blob":""}}`)), n.Meta.Get("bytes"))
	require.Contains(t, n.Meta.Get("error"), "over the 1 MiB limit for one entry")
	require.LessOrEqual(t, len(n.Meta.Get("raw")), 4096)
	require.Equal(t, []OddEntry{{ID: 6, Problem: list.Odd[0].Problem, Unreadable: true}}, list.Odd)
	require.Equal(t, "group.delete", list.Events[2].ActivityCode)
	require.Equal(t, 1, list.BadIDs)
	require.Equal(t, []string{"(none before the 1 MiB limit)"}, list.BadIDSamples)
	require.Less(t, cap(s.obj), 2*MaxEntry, "the copy of one 3 MiB entry stays near the limit")
}

// keep is asked once per entry: the tail command counts with it.
func TestScanAuditAsksKeepOncePerEntry(t *testing.T) {
	asked := map[event.ID]int{}
	_, err := ScanAudit(strings.NewReader(`[{"id":"3"},{"id":"2"},{"id":"1"}]`), func(id event.ID) bool { asked[id]++; return id > 1 })
	require.NoError(t, err)
	require.Equal(t, map[event.ID]int{1: 1, 2: 1, 3: 1}, asked)
}

// An id that ends in the read that crosses MaxEntry is found: it once
// pointed past the bytes kept (into stale memory), and the entry was lost
// as one without a usable id.
func TestAnIDInTheReadThatCrossesTheLimitIsFound(t *testing.T) {
	for pad := MaxEntry - 40; pad < MaxEntry+5; pad++ {
		body := `[{"activity":"` + strings.Repeat("a", pad) + `","id":"7"}]`
		list, err := ScanAudit(strings.NewReader(body), all)
		require.NoError(t, err, pad)
		require.Equal(t, 1, list.Count, pad)
		require.Zero(t, list.BadIDs, pad)
		require.Len(t, list.Events, 1, pad)
		require.Equal(t, event.ID(7), list.Events[0].ID, pad)
	}
}

func TestListAuditEventsOfDecodesOnlyTheseCodes(t *testing.T) {
	body := `[{"id":"3","activity_code":"setupkey.add","activity":"Setup key created","initiator_id":"u1","initiator_name":"Alice","target_id":"k1","timestamp":"2026-12-01T10:00:00Z","meta":{"name":"office"}},
	 {"id":"2","activity_code":"policy.update","activity":"Policy updated","initiator_id":"u1","target_id":"p1","timestamp":"2026-12-01T09:00:00Z","meta":{"name":"setupkey.add"}},
	 {"id":"1","activity_code":"user.invite.link.create","activity":"User invite link created","initiator_id":"u2","initiator_name":"Bob","target_id":"inv1","timestamp":"2026-12-01T08:00:00Z","meta":{}}]`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	defer srv.Close()
	c, err := New(srv.URL, "t")
	require.NoError(t, err)
	evs, err := c.ListAuditEventsOf(t.Context(), "setupkey.add", "user.invite.link.create")
	require.NoError(t, err)
	require.Len(t, evs, 2, "a meta value that names a code is not its code")
	require.Equal(t, "k1", evs[0].TargetID)
	require.Equal(t, "Alice", evs[0].Initiator())
	require.Equal(t, "inv1", evs[1].TargetID)
	require.Equal(t, "Bob", evs[1].Initiator())
}
