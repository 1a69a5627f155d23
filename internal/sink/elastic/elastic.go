// Package elastic sends events to Elasticsearch or OpenSearch with the
// _bulk API: one request per batch (split at MaxBytes), each event a
// document whose _id is the event's key, so that a batch sent again after
// a crash overwrites itself instead of adding copies. A 200 answer can
// still hold failed items: those fail the delivery (the batch goes again;
// the ones that made it are overwritten, not repeated), and a failure the
// cluster will never accept (a mapping conflict) is a configuration
// problem that names the event and the reason; nothing is dropped
// silently.
package elastic

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/httppost"
)

// Config is ELASTIC_*.
type Config struct {
	URL string // https://es.example.com:9200, a secret (it may hold a user)
	// APIKey is an encoded API key ("Authorization: ApiKey …"); else
	// User and Password for basic authentication; else none.
	APIKey, User, Password string
	// Index names the index, with %Y, %m, %d from each event's time (UTC):
	// netbird-audit-%Y.%m.%d. A data stream's name takes no date.
	Index string
	// DataStream writes with "create" (a data stream takes nothing else);
	// an event already there (409) counts as delivered.
	DataStream bool
	MaxBytes   int
}

// Sink is the bulk sink.
type Sink struct {
	cfg  Config
	http *http.Client
}

// New returns a bulk sink.
func New(cfg Config) *Sink {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 5 << 20
	}
	if cfg.Index == "" {
		cfg.Index = "netbird-audit-%Y.%m.%d"
	}
	return &Sink{cfg: cfg, http: &http.Client{Timeout: 30 * time.Second}}
}

func (s *Sink) Name() string { return "elastic" }

// IndexFor is the index of an event at t.
func (s *Sink) IndexFor(t time.Time) string {
	t = t.UTC()
	return strings.NewReplacer("%Y", t.Format("2006"), "%m", t.Format("01"), "%d", t.Format("02")).Replace(s.cfg.Index)
}

func (s *Sink) endpoint() string {
	u, err := url.Parse(s.cfg.URL)
	if err != nil {
		return s.cfg.URL
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/_bulk") + "/_bulk"
	return u.String()
}

func (s *Sink) headers() map[string]string {
	h := map[string]string{"Content-Type": "application/x-ndjson"}
	switch {
	case s.cfg.APIKey != "":
		h["Authorization"] = "ApiKey " + s.cfg.APIKey
	case s.cfg.User != "":
		h["Authorization"] = "Basic " + base64.StdEncoding.EncodeToString([]byte(s.cfg.User+":"+s.cfg.Password))
	}
	return h
}

// docID is the document id of an event: its id, a stream row's stream and
// key (a traffic and a proxy key never meet), or a birdseye event's key.
func docID(e event.Event) string {
	switch {
	case e.Row():
		return e.Stream + ":" + e.Key
	case e.ID != 0 && e.Stream != "":
		return e.Stream + ":" + fmt.Sprint(e.ID)
	case e.ID != 0:
		return fmt.Sprint(e.ID)
	}
	return e.Key
}

// Deliver sends the batch, split at MaxBytes, in order.
func (s *Sink) Deliver(ctx context.Context, b sink.Batch) error {
	now := time.Now()
	evs := b.NoticeEvents("elastic", now)
	for i := range evs {
		evs[i].Key = fmt.Sprintf("%s|%d|%d", evs[i].ActivityCode, now.UnixNano(), i) // their document ids
	}
	evs = append(evs, b.Events...)
	if len(evs) == 0 {
		return nil
	}
	op := "index"
	if s.cfg.DataStream {
		op = "create"
	}
	var body bytes.Buffer
	var ids []string
	for _, e := range evs {
		raw, err := json.Marshal(e)
		if err != nil {
			return sink.Permanent(fmt.Errorf("elastic: encode event %s: %w", docID(e), err))
		}
		t, ok := e.Time()
		if !ok {
			t = time.Now()
		}
		var doc map[string]any
		json.Unmarshal(raw, &doc)
		doc["@timestamp"] = t.UTC().Format(time.RFC3339Nano)
		src, _ := json.Marshal(doc)
		action, _ := json.Marshal(map[string]any{op: map[string]any{"_index": s.IndexFor(t), "_id": docID(e)}})
		if body.Len() > 0 && body.Len()+len(action)+len(src)+2 > s.cfg.MaxBytes {
			if err := s.bulk(ctx, body.Bytes(), ids); err != nil {
				return err
			}
			body.Reset()
			ids = ids[:0]
		}
		body.Write(action)
		body.WriteByte('\n')
		body.Write(src)
		body.WriteByte('\n')
		ids = append(ids, docID(e))
	}
	return s.bulk(ctx, body.Bytes(), ids)
}

// bulkAnswer is the part of a _bulk answer the sink reads.
type bulkAnswer struct {
	Errors bool                         `json:"errors"`
	Items  []map[string]bulkItemOutcome `json:"items"`
}

type bulkItemOutcome struct {
	ID     string `json:"_id"`
	Status int    `json:"status"`
	Error  *struct {
		Type   string `json:"type"`
		Reason string `json:"reason"`
	} `json:"error"`
}

// bulk posts one request and reads its items: a 200 is not yet success.
func (s *Sink) bulk(ctx context.Context, body []byte, ids []string) error {
	raw, err := httppost.DoRead(ctx, s.http, httppost.Request{Sink: "elastic", URL: s.endpoint(), Body: body, Headers: s.headers()})
	if err != nil {
		return err
	}
	var a bulkAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		return fmt.Errorf("elastic: the _bulk answer is not JSON: %w", err)
	}
	if len(a.Items) != len(ids) {
		return fmt.Errorf("elastic: the _bulk answer has %d items for %d documents", len(a.Items), len(ids))
	}
	if !a.Errors {
		return nil
	}
	var retry, never []string
	for i, item := range a.Items {
		for _, o := range item {
			switch {
			case o.Status/100 == 2, o.Status == http.StatusConflict && s.cfg.DataStream: // created before: a repeat
			case o.Status == http.StatusTooManyRequests || o.Status >= 500:
				retry = append(retry, ids[i])
			default:
				why := fmt.Sprintf("HTTP %d", o.Status)
				if o.Error != nil {
					why = o.Error.Type + ": " + o.Error.Reason
				}
				never = append(never, ids[i]+" ("+why+")")
			}
		}
	}
	switch {
	case len(never) > 0:
		return sink.Permanent(fmt.Errorf("elastic: the cluster refused %d of %d documents: %s", len(never), len(ids), strings.Join(first(never, 3), "; ")))
	case len(retry) > 0:
		return fmt.Errorf("elastic: %d of %d documents not indexed now (busy): the batch goes again", len(retry), len(ids))
	}
	return nil
}

func first(l []string, n int) []string {
	if len(l) > n {
		return append(l[:n:n], fmt.Sprintf("… %d more", len(l)-n))
	}
	return l
}
