package netbird

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
)

// redirects is the client's redirect policy. A redirect from https to http
// is refused: Go forwards the Authorization header to the same host, so the
// token would cross the network in clear. A redirect to another host is
// refused too: Go does not send the token there, so the request would fail
// as if the token were wrong. Any other redirect is followed and logged once
// per target (a proxy in front), because NB_URL should say where the API is.
type redirects struct {
	mu     sync.Mutex
	logged map[string]bool
	log    func() *slog.Logger
}

func (r *redirects) check(req *http.Request, via []*http.Request) error {
	prev := via[len(via)-1]
	if prev.URL.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("refused the redirect from %s to %s: it would send the token unencrypted; set NB_URL to the address the API answers on over https",
			prev.URL.Redacted(), req.URL.Redacted())
	}
	if ih, dh := via[0].URL.Hostname(), req.URL.Hostname(); dh != ih && !strings.HasSuffix(dh, "."+ih) {
		return fmt.Errorf("refused the redirect from %s to %s: the token is not sent to another host; set NB_URL to %s://%s if that is the management API",
			prev.URL.Redacted(), req.URL.Redacted(), req.URL.Scheme, req.URL.Host)
	}
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	key := prev.URL.Host + " -> " + req.URL.Scheme + "://" + req.URL.Host
	r.mu.Lock()
	first := !r.logged[key]
	if r.logged == nil {
		r.logged = map[string]bool{}
	}
	r.logged[key] = true
	r.mu.Unlock()
	if first {
		r.log().Warn("NB_URL redirects: set NB_URL to where the API answers", "from", prev.URL.Redacted(), "to", req.URL.Redacted())
	}
	return nil
}
