// Package httppost sends one HTTP request for the sinks that post to a URL
// (webhook, ntfy, chat hooks) and classifies the answer the same way for all:
// 2xx is done; 408, 429 and 5xx are worth retrying (after Retry-After when
// a 429, 502, 503 or 504 gives one); 410 Gone stops the sink
// (sink.GoneError); any other 4xx is a configuration problem
// (sink.Permanent). Errors name the destination by
// its redacted form only: the URL is often the secret.
package httppost

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/version"
)

// Request is one POST.
type Request struct {
	Sink    string // for errors: "webhook", "slack" …
	URL     string // secret: errors show Redact(URL)
	Body    []byte
	Headers map[string]string
	// Explain, when set, reads a refusal's body first (a receiver that
	// answers in protobuf); an empty answer falls back to the JSON rules.
	Explain func([]byte) string
}

// Do sends r with client and classifies the answer.
func Do(ctx context.Context, client *http.Client, r Request) error {
	_, err := DoRead(ctx, client, r)
	return err
}

// DoRead is Do that also returns a 2xx answer's body (at most 64 KiB): a
// receiver that says more than yes (Splunk's ackId).
func DoRead(ctx context.Context, client *http.Client, r Request) ([]byte, error) {
	shown := r.Sink + " POST " + Redact(r.URL)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return nil, sink.Permanent(fmt.Errorf("%s: the URL is not usable", shown))
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
		return nil, fmt.Errorf("%s: %w", shown, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 == 2 {
		return raw, nil
	}
	why := ""
	if r.Explain != nil {
		why = r.Explain(raw)
	}
	err = fmt.Errorf("%s: HTTP %d: %s", shown, resp.StatusCode, cmp.Or(why, message(raw)))
	switch resp.StatusCode {
	case http.StatusGone:
		return nil, &sink.GoneError{Err: err}
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if d, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return nil, &sink.RetryAfterError{Err: err, After: d}
		}
	}
	if resp.StatusCode/100 == 4 && resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusRequestTimeout {
		return nil, sink.Permanent(err)
	}
	return nil, err
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now)), true
	}
	return 0, false
}

// message is what a refusal says: the "message" (Mattermost, Discord),
// "error" (ntfy; Google's is an object with its own "message") or "text"
// (Splunk) of a JSON body, else the body's start.
func message(raw []byte) string {
	var answer struct {
		Message string          `json:"message"`
		Error   json.RawMessage `json:"error"`
		Text    string          `json:"text"`        // Splunk HEC
		Desc    string          `json:"description"` // Telegram
	}
	if json.Unmarshal(raw, &answer) == nil {
		var errText string
		var google struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(answer.Error, &errText) != nil && json.Unmarshal(answer.Error, &google) == nil {
			errText = google.Message
		}
		if m := cmp.Or(answer.Message, errText, answer.Text, answer.Desc); m != "" {
			return m
		}
	}
	msg := strings.TrimSpace(string(raw))
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}

// Redact shows where a URL points without its secrets: no user info, no
// query, and the last path segment cut to four characters (hook ids and
// topic names are the secret part of most hook URLs), as is a segment
// with a colon (a Telegram bot's token).
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "<URL>"
	}
	segs := strings.Split(u.Path, "/")
	for i, seg := range segs {
		// The last segment, and one with a colon (Telegram's bot<id>:<token>),
		// are cut to four characters.
		if (i == len(segs)-1 || strings.Contains(seg, ":")) && len(seg) > 4 {
			segs[i] = seg[:4] + "…"
		}
	}
	return u.Scheme + "://" + u.Host + strings.Join(segs, "/")
}
