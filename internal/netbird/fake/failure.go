package fake

import (
	"net/http"
	"strings"
	"time"
)

// Failure is an injected misbehaviour for the next Times matching requests.
type Failure struct {
	// Path and Method limit the failure to one API path or method; empty
	// matches all.
	Path   string
	Method string
	Times  int
	// Status with Body and ContentType replace the answer. A zero Status
	// with a Delay only delays the normal answer.
	Status      int
	Body        string
	ContentType string
	// Delay waits before answering; the request's context ends it early.
	Delay time.Duration
	// Truncate sends the normal answer cut to this many bytes, then drops
	// the connection (a proxy timing out mid-body).
	Truncate int
}

func (f Failure) matches(method, path string) bool {
	return (f.Path == "" || f.Path == path) && (f.Method == "" || f.Method == method)
}

// Fail queues a failure; failures are used in the order queued.
func (s *Server) Fail(f Failure) {
	if f.Times == 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, f)
}

// ClearFailures drops every queued failure.
func (s *Server) ClearFailures() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = nil
}

// Common failures, shaped like what operators see in front of NetBird.
func ServerError(times int) Failure {
	return Failure{Times: times, Status: 500, ContentType: "application/json; charset=UTF-8", Body: `{"message":"internal server error","code":500}`}
}

func BadGateway(times int) Failure {
	return Failure{Times: times, Status: 502, ContentType: "text/html", Body: "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"}
}

func HTMLOK(times int) Failure {
	return Failure{Times: times, Status: 200, ContentType: "text/html; charset=utf-8", Body: "<!doctype html><html><head><title>NetBird</title></head><body><div id=root></div></body></html>"}
}

func GarbageJSON(times int) Failure {
	return Failure{Times: times, Status: 200, ContentType: "application/json; charset=UTF-8", Body: `[{"id":"1","activity":"x"`}
}

func RateLimited(times int) Failure {
	return Failure{Times: times, Status: 429, ContentType: "application/json; charset=UTF-8", Body: `{"message":"too many requests","code":429}`}
}

func Unauthorized() Failure {
	return Failure{Times: 1 << 30, Status: 401, ContentType: "application/json; charset=UTF-8", Body: `{"message":"token invalid","code":401}`}
}

// serve writes the failure; false means "answer normally" (after a delay).
func (f Failure) serve(s *Server, w http.ResponseWriter, r *http.Request) bool {
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return true
		}
	}
	if f.Truncate > 0 {
		rec := &truncWriter{ResponseWriter: w, left: f.Truncate}
		if route, ok := routes[r.URL.Path]; ok {
			route.handle(s, rec, r)
		}
		panic(http.ErrAbortHandler) // drop the connection mid-body
	}
	if f.Status == 0 {
		return false
	}
	if f.ContentType != "" {
		w.Header().Set("Content-Type", f.ContentType)
	}
	w.WriteHeader(f.Status)
	w.Write([]byte(strings.TrimSuffix(f.Body, "\n") + "\n"))
	return true
}

type truncWriter struct {
	http.ResponseWriter
	left int
}

func (t *truncWriter) Write(b []byte) (int, error) {
	if t.left <= 0 {
		return len(b), nil
	}
	n := min(len(b), t.left)
	t.left -= n
	t.ResponseWriter.Write(b[:n])
	if f, ok := t.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
	return len(b), nil
}
