package webhook

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/sinktest"
)

const (
	secret = "whsec-7yz1bgu3jqe8cmoh5tnwa"
	token  = "Bearer rcv-token-4711"
	path   = "/hooks/birdseye-k3y"
)

// receiver is an HTTP endpoint that parses what birdseye posts.
type receiver struct {
	mu       sync.Mutex
	events   int
	requests []*http.Request
	bodies   [][]byte
	fail     sinktest.Failure
	srv      *httptest.Server
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.requests = append(r.requests, req)
	r.bodies = append(r.bodies, body)
	fail := r.fail
	r.mu.Unlock()
	switch fail {
	case sinktest.ServerError:
		http.Error(w, "upstream down", http.StatusBadGateway)
		return
	case sinktest.ClientError:
		http.Error(w, "unknown hook", http.StatusNotFound)
		return
	case sinktest.Hang:
		<-req.Context().Done()
		return
	}
	n := 0
	if req.Header.Get("Content-Type") == "application/x-ndjson" {
		sc := bufio.NewScanner(bytes.NewReader(body))
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			var e event.Event
			if json.Unmarshal(sc.Bytes(), &e) != nil {
				http.Error(w, "bad line", http.StatusBadRequest)
				return
			}
			n++
		}
	} else {
		var evs []event.Event
		if json.Unmarshal(body, &evs) != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		n = len(evs)
	}
	r.mu.Lock()
	r.events += n
	r.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

func (r *receiver) Events() int { r.mu.Lock(); defer r.mu.Unlock(); return r.events }
func (r *receiver) Requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.requests)
}
func (r *receiver) Fail(f sinktest.Failure) bool { r.mu.Lock(); r.fail = f; r.mu.Unlock(); return true }
func (r *receiver) Secrets() []string            { return []string{secret, token, "birdseye-k3y"} }

func start(t *testing.T, cfg Config) (*Sink, *receiver) {
	rx := &receiver{}
	rx.srv = httptest.NewServer(rx)
	t.Cleanup(rx.srv.Close)
	cfg.URL = rx.srv.URL + path
	return New(cfg), rx
}

func TestWebhookConformance(t *testing.T) {
	for _, nd := range []bool{false, true} {
		t.Run(map[bool]string{false: "json", true: "ndjson"}[nd], func(t *testing.T) {
			sinktest.Run(t, func(t *testing.T) (sink.Sink, sinktest.Receiver) {
				return start(t, Config{Secret: secret, Headers: map[string]string{"Authorization": token}, NDJSON: nd, MaxBytes: 256 << 10})
			})
		})
	}
}

func TestTheSignatureIsVerifiedByOpenSSLAndAReplayIsRejected(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	s, rx := start(t, Config{Secret: secret})
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return at }
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: sinktest.Events(2, 0)}))
	req, body := rx.requests[0], rx.bodies[0]
	sig := req.Header.Get(SignatureHeader)
	require.Regexp(t, `^t=\d+,v1=[0-9a-f]{64}$`, sig)
	ts, v1, _ := strings.Cut(strings.TrimPrefix(sig, "t="), ",v1=")

	// The documented check, done by another implementation: openssl.
	cmd := exec.Command("openssl", "dgst", "-sha256", "-hex", "-mac", "HMAC", "-macopt", "key:"+secret)
	cmd.Stdin = bytes.NewReader(append([]byte(ts+"."), body...))
	out, err := cmd.Output()
	require.NoError(t, err)
	require.True(t, strings.HasSuffix(strings.TrimSpace(string(out)), v1), "openssl computes the same MAC: %s", out)

	// A receiver following the README rejects a request whose timestamp is
	// older than five minutes, even with a valid signature: a replay.
	require.True(t, Verify(secret, sig, body, at.Add(4*time.Minute), 5*time.Minute))
	require.False(t, Verify(secret, sig, body, at.Add(6*time.Minute), 5*time.Minute), "replayed later")
	require.False(t, Verify(secret, sig, append(body, ' '), at, 5*time.Minute), "body changed")
	require.False(t, Verify("other", sig, body, at, 5*time.Minute), "wrong secret")
}

func TestARetryOfTheSameEventsCarriesTheSameIdempotencyKey(t *testing.T) {
	s, rx := start(t, Config{})
	rx.Fail(sinktest.ServerError)
	b := sink.Batch{Events: sinktest.Events(3, 0), Alerts: []string{"NetBird API unreachable for 10 min"}}
	require.Error(t, s.Deliver(t.Context(), b))
	rx.Fail(sinktest.OK)
	require.NoError(t, s.Deliver(t.Context(), b))
	k1, k2 := rx.requests[0].Header.Get(IdempotencyHeader), rx.requests[1].Header.Get(IdempotencyHeader)
	require.Len(t, k1, 64)
	require.Equal(t, k1, k2)
	var evs []event.Event
	require.NoError(t, json.Unmarshal(rx.bodies[1], &evs))
	require.Equal(t, "birdseye.alert", evs[0].ActivityCode, "alerts are events of the schema, first")
	require.Equal(t, "NetBird API unreachable for 10 min", evs[0].Activity)
	require.Equal(t, "4", rx.requests[1].Header.Get("X-Birdseye-Event-Count"))
}

func TestAFailedLaterRequestReportsTheEventsBeforeIt(t *testing.T) {
	s, rx := start(t, Config{MaxBytes: 4 << 10})
	calls := 0
	rx.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		rx.ServeHTTP(w, r)
	})
	err := s.Deliver(t.Context(), sink.Batch{Events: sinktest.Events(10, 1000)})
	var partial *sink.PartialError
	require.ErrorAs(t, err, &partial)
	require.Equal(t, rx.Events(), partial.Delivered)
	require.Positive(t, partial.Delivered)
}
