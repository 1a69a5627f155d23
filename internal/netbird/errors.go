package netbird

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind classifies a failed request; the poll loop decides from it whether to
// retry, back off or stop.
type Kind int

const (
	KindNetwork   Kind = iota + 1 // no HTTP answer: DNS, refused, reset, timeout
	KindAuth                      // 401/403, or 404 with a JSON body on a collection (deleted token)
	KindNotFound                  // 404: the object, or the route (plain-text 404) does not exist
	KindRateLimit                 // 429
	KindServer                    // 5xx
	KindClient                    // other 4xx: the request was wrong
	KindDecode                    // 2xx whose body is not what the API sends (HTML, garbage, truncated)
)

func (k Kind) String() string {
	switch k {
	case KindNetwork:
		return "network"
	case KindAuth:
		return "auth"
	case KindNotFound:
		return "not-found"
	case KindRateLimit:
		return "rate-limit"
	case KindServer:
		return "server"
	case KindClient:
		return "client"
	case KindDecode:
		return "decode"
	}
	return "unknown"
}

// Error is a failed API call. Its text names the method, path, status, the
// server's message and X-Request-Id; it never contains the token.
type Error struct {
	Kind       Kind
	Method     string
	Path       string
	Status     int           // 0 when there was no HTTP answer
	Message    string        // the server's message, or a description of the body
	RequestID  string        // X-Request-Id, when the server sent one
	RetryAfter time.Duration // from Retry-After on 429/503, 0 when absent
	PlainText  bool          // the body was not JSON (e.g. the router's "404 page not found")
	Err        error         // the underlying transport or decode error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: ", e.Method, e.Path)
	if e.Status != 0 {
		fmt.Fprintf(&b, "HTTP %d", e.Status)
	} else {
		b.WriteString(e.Kind.String() + " error")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Err != nil && e.Status == 0 {
		b.WriteString(": " + e.Err.Error())
	}
	if e.RequestID != "" {
		b.WriteString(" (request id " + e.RequestID + ")")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Transient reports a failure that may pass by waiting: no answer (a reset,
// a timeout), a server error, a rate limit. A refused token, a missing
// object or a bad request do not.
func Transient(err error) bool {
	switch KindOf(err) {
	case KindNetwork, KindServer, KindRateLimit:
		return true
	}
	return false
}

// KindOf returns the Kind of err, or 0 when err is not from this package.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// NoSuchRoute reports whether err is the plain-text 404 of a server that
// does not have the endpoint at all (as opposed to a JSON 404 for a missing
// object): self-hosted servers answer it for traffic events.
func NoSuchRoute(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == 404 && e.PlainText
}
