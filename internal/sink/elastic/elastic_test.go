package elastic

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/sinktest"
)

const apiKey = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="

// cluster is an Elasticsearch _bulk endpoint as its reference describes
// it: NDJSON action and source lines; an answer of 200 with "errors" and
// one item per action, each with its own status (201 created, 200
// updated, 409 version conflict for a create of an existing _id, 429 when
// the write queue is full, 400 mapper_parsing_exception); 401 for a wrong
// API key; 503 when the cluster is unavailable.
type cluster struct {
	mu      sync.Mutex
	docs    map[string]map[string]any // index/_id → source
	indexed int                       // documents taken, repeats included
	reqs    int
	fail    sinktest.Failure
	itemErr func(id string) (int, string) // a per-item answer, when set
}

func (c *cluster) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.fail == sinktest.Hang:
		c.mu.Unlock()
		<-r.Context().Done()
		c.mu.Lock()
		return
	case c.fail == sinktest.ServerError:
		w.WriteHeader(503)
		io.WriteString(w, `{"error":{"type":"cluster_block_exception","reason":"blocked by: [SERVICE_UNAVAILABLE/2/no master]"},"status":503}`)
		return
	case c.fail == sinktest.ClientError || r.Header.Get("Authorization") != "ApiKey "+apiKey:
		w.WriteHeader(401)
		io.WriteString(w, `{"error":{"type":"security_exception","reason":"unable to authenticate with provided credentials"},"status":401}`)
		return
	case r.URL.Path != "/_bulk" || r.Header.Get("Content-Type") != "application/x-ndjson":
		w.WriteHeader(400)
		return
	}
	c.reqs++
	if c.docs == nil {
		c.docs = map[string]map[string]any{}
	}
	var items []any
	errs := false
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var action map[string]map[string]string
		json.Unmarshal(sc.Bytes(), &action)
		sc.Scan()
		var src map[string]any
		json.Unmarshal(sc.Bytes(), &src)
		for op, meta := range action {
			key := meta["_index"] + "/" + meta["_id"]
			status := 201
			errBody := ""
			switch {
			case c.itemErr != nil:
				status, errBody = c.itemErr(meta["_id"])
			case op == "create" && c.docs[key] != nil:
				status, errBody = 409, "version_conflict_engine_exception"
			}
			if status/100 == 2 {
				c.docs[key] = src
				c.indexed++
			} else {
				errs = true
			}
			item := map[string]any{"_index": meta["_index"], "_id": meta["_id"], "status": status}
			if errBody != "" {
				item["error"] = map[string]any{"type": errBody, "reason": "the test says so"}
			}
			items = append(items, map[string]any{op: item})
		}
	}
	json.NewEncoder(w).Encode(map[string]any{"took": 3, "errors": errs, "items": items})
}

func (c *cluster) Events() int       { c.mu.Lock(); defer c.mu.Unlock(); return c.indexed }
func (c *cluster) Requests() int     { c.mu.Lock(); defer c.mu.Unlock(); return c.reqs }
func (c *cluster) Secrets() []string { return []string{apiKey, "basic-secret"} }
func (c *cluster) Fail(f sinktest.Failure) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fail = f
	return true
}

func start(t *testing.T, cfg Config) (*Sink, *cluster) {
	c := &cluster{}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	cfg.URL, cfg.APIKey = srv.URL, apiKey
	return New(cfg), c
}

func TestElasticConformance(t *testing.T) {
	sinktest.Run(t, func(t *testing.T) (sink.Sink, sinktest.Receiver) { return start(t, Config{}) })
}

// Each event is a document with @timestamp in the index of its day, its
// _id the event's id: a batch sent twice is there once.
func TestADocumentPerEventInItsDaysIndexOnceAfterARepeat(t *testing.T) {
	s, c := start(t, Config{})
	evs := sinktest.Events(3, 0)
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: evs}))
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: evs}), "sent again after a crash")
	require.Len(t, c.docs, 3, "overwritten, not added")
	doc := c.docs["netbird-audit-2026.11.23/1"]
	require.NotNil(t, doc)
	require.Equal(t, "2026-11-23T08:00:00Z", doc["@timestamp"])
	require.Equal(t, "policy.update", doc["activity_code"])
	require.Equal(t, "netbird-audit-2027.01.03", s.IndexFor(time.Date(2027, 1, 2, 23, 0, 0, 0, time.FixedZone("x", -3600))), "the day in UTC")
}

// A data stream takes "create"; an event it already has (409) is
// delivered, not a failure.
func TestADataStreamTakesCreateAndARepeatIsDelivered(t *testing.T) {
	s, c := start(t, Config{Index: "logs-netbird.audit-default", DataStream: true})
	evs := sinktest.Events(2, 0)
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: evs}))
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: evs}))
	require.Len(t, c.docs, 2)
	require.NotNil(t, c.docs["logs-netbird.audit-default/2"])
}

// Failed items in a 200 answer fail the delivery: busy items are worth
// another try, a refused document is a configuration problem naming it.
func TestFailedItemsInASuccessfulAnswerAreNotDroppedSilently(t *testing.T) {
	s, c := start(t, Config{})
	c.itemErr = func(id string) (int, string) {
		if id == "2" {
			return 429, "es_rejected_execution_exception"
		}
		return 201, ""
	}
	err := s.Deliver(t.Context(), sink.Batch{Events: sinktest.Events(3, 0)})
	require.ErrorContains(t, err, "1 of 3 documents not indexed now (busy): the batch goes again")
	require.False(t, sink.IsPermanent(err))

	c.itemErr = func(id string) (int, string) {
		if id == "3" {
			return 400, "mapper_parsing_exception"
		}
		return 201, ""
	}
	err = s.Deliver(t.Context(), sink.Batch{Events: sinktest.Events(3, 0)})
	require.True(t, sink.IsPermanent(err))
	require.ErrorContains(t, err, "the cluster refused 1 of 3 documents: 3 (mapper_parsing_exception: the test says so)")
}

func TestBasicAuthenticationAndTheBulkPath(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		io.WriteString(w, `{"errors":false,"items":[{"index":{"status":201}}]}`)
	}))
	defer srv.Close()
	s := New(Config{URL: srv.URL + "/es/", User: "birdseye", Password: "basic-secret"})
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: sinktest.Events(1, 0)}))
	require.Equal(t, "/es/_bulk", got.URL.Path)
	require.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("birdseye:basic-secret")), got.Header.Get("Authorization"))
	require.True(t, strings.HasPrefix(New(Config{URL: "https://es:9200/_bulk"}).endpoint(), "https://es:9200/_bulk"))
}

// A stream row's document id is its stream and key: rows have no numeric
// id, and a traffic key and a proxy key must not overwrite each other.
func TestAStreamRowIsItsOwnDocument(t *testing.T) {
	require.Equal(t, "proxy:al000001", docID(event.Event{Stream: event.StreamProxy, Key: "al000001"}))
	require.Equal(t, "traffic:al000001", docID(event.Event{Stream: event.StreamTraffic, Key: "al000001"}))
	require.Equal(t, "42", docID(event.Event{ID: 42}))
}
