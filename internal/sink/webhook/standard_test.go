package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
)

// The receiver's side is written here from the published specifications
// (standardwebhooks.com, CloudEvents 1.0 and its JSON batch format), not
// with the sink's own functions.

// specVerify is Standard Webhooks' verification: the key is the base64
// after "whsec_"; the signed content is "{id}.{timestamp}.{body}"; the
// header holds space-separated "v1,<base64 HMAC-SHA256>" entries, any of
// which may match.
func specVerify(t *testing.T, whsec string, h http.Header, body []byte) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(whsec, "whsec_"))
	require.NoError(t, err)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(h.Get("webhook-id") + "." + h.Get("webhook-timestamp") + "." + string(body)))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Split(h.Get("webhook-signature"), " ") {
		version, value, _ := strings.Cut(sig, ",")
		if version == "v1" && hmac.Equal([]byte(value), []byte(want)) {
			return true
		}
	}
	return false
}

type capture struct {
	mu      sync.Mutex
	headers []http.Header
	bodies  [][]byte
	status  int
}

func (c *capture) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.headers, c.bodies = append(c.headers, r.Header.Clone()), append(c.bodies, b)
	if c.status != 0 {
		w.WriteHeader(c.status)
	}
}

var (
	whsecOld = "whsec_" + base64.StdEncoding.EncodeToString([]byte("an-old-key-of-32-bytes-for-tests"))
	whsecNew = "whsec_" + base64.StdEncoding.EncodeToString([]byte("the-new-key-rotated-in-during-the-test!"))
)

func TestStandardWebhooksSignaturesVerifyByTheSpecWithEveryRotatedKey(t *testing.T) {
	c := &capture{status: 503}
	srv := httptest.NewServer(c)
	defer srv.Close()
	var keys [][]byte
	for _, s := range []string{whsecOld, whsecNew} {
		k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
		require.NoError(t, err)
		keys = append(keys, k)
	}
	s := New(Config{URL: srv.URL, Standard: keys})
	b := sink.Batch{Events: []event.Event{{ID: 42, ActivityCode: "policy.add", Timestamp: "2026-11-29T10:00:00Z", TargetID: "p1"}}}
	require.Error(t, s.Deliver(t.Context(), b), "503: retried later")
	c.status = 0
	s.now = func() time.Time { return time.Now().Add(30 * time.Second) } // the retry is later
	require.NoError(t, s.Deliver(t.Context(), b))

	require.Len(t, c.headers, 2)
	for i, h := range c.headers {
		require.True(t, specVerify(t, whsecOld, h, c.bodies[i]), "the old key still verifies (rotation)")
		require.True(t, specVerify(t, whsecNew, h, c.bodies[i]))
		require.False(t, specVerify(t, "whsec_"+base64.StdEncoding.EncodeToString([]byte("some-other-key-nobody-has-32b")), h, c.bodies[i]))
		require.Regexp(t, `^v1,[A-Za-z0-9+/]+=* v1,[A-Za-z0-9+/]+=*$`, h.Get("webhook-signature"))
		require.Regexp(t, `^\d{10}$`, h.Get("webhook-timestamp"))
		require.Equal(t, h.Get("Idempotency-Key"), h.Get("webhook-id"))
		require.Empty(t, h.Get("X-Birdseye-Signature"), "one signature scheme")
	}
	require.Equal(t, c.headers[0].Get("webhook-id"), c.headers[1].Get("webhook-id"), "the same id on the retry")
	require.NotEqual(t, c.headers[0].Get("webhook-timestamp"), c.headers[1].Get("webhook-timestamp"))

	// And the sink's own verifier (the `webhook verify` command) agrees.
	h := c.headers[1]
	require.NoError(t, VerifyStandard(keys[1:], h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature"), c.bodies[1], time.Now(), 5*time.Minute))
	require.ErrorContains(t, VerifyStandard(keys[1:], h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature"), append(c.bodies[1], ' '), time.Now(), 5*time.Minute), "no signature matches")
	require.ErrorContains(t, VerifyStandard(keys, h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature"), c.bodies[1], time.Now().Add(time.Hour), 5*time.Minute), "a replay")
}

// specCloudEvent checks what CloudEvents 1.0 requires of an event in the
// JSON format: specversion 1.0, non-empty string id, source (a
// URI-reference) and type; time, when there, RFC 3339; data matching
// datacontenttype.
func specCloudEvent(t *testing.T, ce map[string]any) {
	require.Equal(t, "1.0", ce["specversion"])
	for _, k := range []string{"id", "source", "type"} {
		v, ok := ce[k].(string)
		require.True(t, ok && v != "", "%s is a non-empty string", k)
	}
	require.Regexp(t, `^[a-z][a-z0-9+.-]*://`, ce["source"])
	if tm, ok := ce["time"]; ok {
		_, err := time.Parse(time.RFC3339Nano, tm.(string))
		require.NoError(t, err)
	}
	require.Equal(t, "application/json", ce["datacontenttype"])
	_, isObject := ce["data"].(map[string]any)
	require.True(t, isObject)
	for k := range ce {
		require.Regexp(t, `^[a-z0-9]{1,20}$`, k, "attribute names are lower-case letters and digits")
	}
}

func TestCloudEventsBatchesAreValidByTheSpec(t *testing.T) {
	c := &capture{}
	srv := httptest.NewServer(c)
	defer srv.Close()
	s := New(Config{URL: srv.URL, CloudEvents: true, NDJSON: true, Source: "https://netbird.example.com/"})
	b := sink.Batch{
		Events: []event.Event{
			{ID: 42, ActivityCode: "policy.add", Activity: "Policy added", Timestamp: "2026-11-29T10:00:00.123Z", TargetID: "pol1"},
			{Stream: event.StreamTraffic, Key: "flow-7", ActivityCode: "traffic.drop", Timestamp: "2026-11-29T10:00:01Z", TargetID: "peer9"},
			{Stream: event.StreamProxy, Key: "log-3", ActivityCode: "proxy.failed", Timestamp: "2026-11-29T10:00:02Z"},
			{Stream: event.StreamWatch, Key: "down|p1", ActivityCode: "birdseye.peer.down", Timestamp: "2026-11-29T10:00:03Z", TargetID: "p1"},
		},
		Alerts: []string{"NetBird API unreachable for 10m"},
	}
	require.NoError(t, s.Deliver(t.Context(), b))
	require.Len(t, c.bodies, 1)
	require.Equal(t, "application/cloudevents-batch+json", c.headers[0].Get("Content-Type"))
	var batch []map[string]any
	require.NoError(t, json.Unmarshal(c.bodies[0], &batch), "a batch is a JSON array, also when ndjson was asked")
	require.Len(t, batch, 5)
	ids := map[string]bool{}
	for _, ce := range batch {
		specCloudEvent(t, ce)
		key := ce["source"].(string) + " " + ce["id"].(string)
		require.False(t, ids[key], "source+id is unique")
		ids[key] = true
	}
	byType := map[string]map[string]any{}
	for _, ce := range batch {
		byType[ce["type"].(string)] = ce
	}
	audit := byType["io.netbird.audit.policy.add"]
	require.Equal(t, "42", audit["id"], "the audit id: stable")
	require.Equal(t, "https://netbird.example.com/audit", audit["source"])
	require.Equal(t, "pol1", audit["subject"])
	require.Equal(t, "Policy added", audit["data"].(map[string]any)["activity"])
	require.Equal(t, "flow-7", byType["io.netbird.traffic.drop"]["id"])
	require.Equal(t, "https://netbird.example.com/proxy", byType["io.netbird.proxy.failed"]["source"])
	require.Contains(t, byType, "io.birdseye.peer.down")
	require.Contains(t, byType, "io.birdseye.alert")
	require.Regexp(t, regexp.MustCompile(`^[A-Za-z0-9_-]{16}$`), byType["io.birdseye.alert"]["id"], "a notice's id is stable: from its text")
}
