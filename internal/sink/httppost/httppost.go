// Package httppost sends one HTTP request for the sinks that post to a URL
// (webhook, ntfy, chat hooks) and classifies the answer the same way for all:
// 2xx is done; 408, 429 and 5xx are worth retrying; any other 4xx is a
// configuration problem (sink.Permanent). Errors name the destination by
// its redacted form only: the URL is often the secret.
package httppost

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/version"
)

// Request is one POST.
type Request struct {
	URL     string // secret
	Shown   string // how errors name it (Redact)
	Body    []byte
	Headers map[string]string
}

// Do sends r with client and classifies the answer.
func Do(ctx context.Context, client *http.Client, r Request) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return sink.Permanent(fmt.Errorf("POST %s: the URL is not usable", r.Shown))
	}
	req.Header.Set("User-Agent", version.UserAgent())
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the whole URL, secret included
		}
		return fmt.Errorf("POST %s: %w", r.Shown, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	msg := strings.TrimSpace(string(raw))
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	err = fmt.Errorf("POST %s: HTTP %d: %s", r.Shown, resp.StatusCode, msg)
	if resp.StatusCode/100 == 4 && resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusRequestTimeout {
		return sink.Permanent(err)
	}
	return err
}

// Redact shows where a URL points without its secrets: no user info, no
// query, and the last path segment cut to four characters (hook ids and
// topic names are the secret part of most hook URLs).
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "<URL>"
	}
	path := u.Path
	if i := strings.LastIndex(path, "/"); i >= 0 && len(path)-i-1 > 4 {
		path = path[:i+1] + path[i+1:i+5] + "…"
	}
	return u.Scheme + "://" + u.Host + path
}
