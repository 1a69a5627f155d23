package mattermost

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/mattermost/mmfake"
	"github.com/styliteag/birdseye/internal/sink/sinktest"
)

// mmReceiver is the Mattermost stand-in seen as a conformance receiver: an
// event arrived when its line is in a post.
type mmReceiver struct {
	mm   *mmfake.Server
	mu   sync.Mutex
	hang bool
	bad  bool
}

func (r *mmReceiver) Events() int {
	n := 0
	for _, p := range r.mm.Posts() {
		n += strings.Count(p.Text, "**Policy updated**")
	}
	return n
}
func (r *mmReceiver) Requests() int { return r.mm.Requests() }
func (r *mmReceiver) Fail(f sinktest.Failure) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hang, r.bad = false, false
	switch f {
	case sinktest.OK:
		r.mm.Up()
	case sinktest.ServerError:
		r.mm.Down(http.StatusServiceUnavailable)
	case sinktest.ClientError:
		r.bad = true // the hook was deleted: 400 Invalid webhook.
	case sinktest.Hang:
		r.hang = true
	}
	return true
}
func (r *mmReceiver) Secrets() []string { return []string{hook} }

func TestMattermostConformance(t *testing.T) {
	sinktest.Run(t, func(t *testing.T) (sink.Sink, sinktest.Receiver) {
		rx := &mmReceiver{mm: mmfake.New(hook)}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			rx.mu.Lock()
			hang, bad := rx.hang, rx.bad
			rx.mu.Unlock()
			switch {
			case hang:
				io.Copy(io.Discard, req.Body) // the server notices the client leave only once the body is read
				<-req.Context().Done()
			case bad:
				req.URL.Path = "/hooks/deleted0000000000000000000"
				rx.mm.ServeHTTP(w, req)
			default:
				rx.mm.ServeHTTP(w, req)
			}
		}))
		t.Cleanup(srv.Close)
		s := New(Config{URL: srv.URL + "/hooks/" + hook, Username: "birdseye"}, time.UTC)
		return s, rx
	})
}
