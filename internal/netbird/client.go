// Package netbird is birdseye's small typed client for the NetBird management
// API: base-URL handling, token auth, timeouts, classified errors, and a
// streaming decoder for the audit list that keeps only the events asked for.
package netbird

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/styliteag/birdseye/internal/nburl"
	"github.com/styliteag/birdseye/internal/version"
)

// Client talks to one management server with one token.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
	// Timeout bounds one request, body included. The default suits a
	// 10,000-event audit list (3.2 MB) over a slow link.
	Timeout time.Duration
	// Log gets the client's own warnings (a redirect); nil = slog.Default().
	Log *slog.Logger
	// schemeAssumed: NB_URL had no scheme and https was assumed.
	schemeAssumed bool

	// pace is the token's shared rate budget: every loop (audit poll,
	// watch, streams, change diffs) uses this client, and after a 429 none
	// of them asks again before the server said it may.
	pace pacer
}

// pacer holds requests back until a time the server named.
type pacer struct {
	mu    sync.Mutex
	until time.Time
}

// DefaultCoolDown is how long a 429 without Retry-After holds requests back.
const DefaultCoolDown = 10 * time.Second

func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	d := time.Until(p.until)
	p.mu.Unlock()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (p *pacer) hold(d time.Duration) {
	if d <= 0 {
		d = DefaultCoolDown
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if u := time.Now().Add(d); u.After(p.until) {
		p.until = u
	}
}

// New returns a client for the NB_URL form (scheme optional, path prefix kept).
func New(nbURL, token string) (*Client, error) {
	base, err := nburl.Normalise(nbURL)
	if err != nil {
		return nil, fmt.Errorf("NB_URL %q %w", nbURL, err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = 10 * time.Second
	tr.ResponseHeaderTimeout = 60 * time.Second
	// HTTP/2 lets a server send 4 MB ahead of what is read by default; the
	// poll reads its 3.3 MB list as it arrives, so a smaller window keeps
	// the body out of memory at no cost in speed on a LAN.
	tr.HTTP2 = &http.HTTP2Config{MaxReceiveBufferPerStream: 256 << 10, MaxReceiveBufferPerConnection: 512 << 10}
	c := &Client{base: base, token: token, Timeout: 90 * time.Second, schemeAssumed: !strings.Contains(nbURL, "://")}
	r := &redirects{log: func() *slog.Logger { return cmp.Or(c.Log, slog.Default()) }}
	c.http = &http.Client{Transport: tr, CheckRedirect: r.check}
	return c, nil
}

// BaseURL is the API root, e.g. https://netbird.example.com/api.
func (c *Client) BaseURL() string { return c.base.String() }

// get performs GET base+path and returns the response when the status is 2xx.
// The caller closes the body and calls cancel.
func (c *Client) get(ctx context.Context, path string) (*http.Response, context.CancelFunc, error) {
	return c.do(ctx, http.MethodGet, path, nil)
}

func (c *Client) do(ctx context.Context, method, path string, body io.Reader) (*http.Response, context.CancelFunc, error) {
	if err := c.pace.wait(ctx); err != nil {
		return nil, nil, &Error{Kind: KindNetwork, Method: method, Path: c.base.Path + path, Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, body)
	if err != nil {
		cancel()
		return nil, nil, &Error{Kind: KindClient, Method: method, Path: c.base.Path + path, Err: err}
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Token "+c.token)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", version.UserAgent())
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	apiPath := c.base.Path + path // with NB_URL's path prefix, as the server sees it
	if err != nil {
		cancel()
		// url.Error repeats the URL; keep only the cause.
		var ue *url.Error
		if ok := asURLError(err, &ue); ok {
			err = ue.Err
		}
		if msg := err.Error(); c.schemeAssumed && (strings.Contains(msg, "does not look like a TLS handshake") || strings.Contains(msg, "HTTP response to HTTPS client")) {
			err = fmt.Errorf("NB_URL has no scheme, so https was assumed, but the server answers plain HTTP: use http://%s if it speaks plain HTTP (%w)", c.base.Host, err)
		}
		return nil, nil, &Error{Kind: KindNetwork, Method: method, Path: apiPath, Err: err}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, cancel, nil
	}
	defer cancel()
	defer resp.Body.Close()
	e := errorFromResponse(method, apiPath, resp)
	if e.Kind == KindRateLimit {
		c.pace.hold(e.RetryAfter)
	}
	return nil, nil, e
}

func asURLError(err error, target **url.Error) bool {
	ue, ok := err.(*url.Error)
	if ok {
		*target = ue
	}
	return ok
}

func errorFromResponse(method, path string, resp *http.Response) *Error {
	e := &Error{Method: method, Path: path, Status: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id")}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body struct {
		Message string `json:"message"`
	}
	if isJSON(resp.Header.Get("Content-Type")) && json.Unmarshal(raw, &body) == nil {
		e.Message = body.Message
	} else {
		e.PlainText = true
		e.Message = describeBody(resp.Header.Get("Content-Type"), raw)
	}
	switch s := resp.StatusCode; {
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		e.Kind = KindAuth
	case s == http.StatusNotFound:
		e.Kind = KindNotFound
	case s == http.StatusTooManyRequests:
		e.Kind = KindRateLimit
	case s >= 500:
		e.Kind = KindServer
	default:
		e.Kind = KindClient
	}
	if s := resp.StatusCode; s == http.StatusTooManyRequests || s == http.StatusServiceUnavailable {
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return e
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// describeBody makes a short, printable description of a non-JSON body, such
// as a reverse proxy's HTML error page.
func describeBody(contentType string, raw []byte) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	s := string(raw)
	if strings.Contains(mt, "html") || strings.Contains(strings.ToLower(s[:min(len(s), 512)]), "<html") {
		if i := strings.Index(strings.ToLower(s), "<title>"); i >= 0 {
			rest := s[i+7:]
			if j := strings.Index(strings.ToLower(rest), "</title>"); j >= 0 {
				return "HTML page: " + clip(rest[:j], 120)
			}
		}
		return "HTML page"
	}
	if !utf8.ValidString(s) {
		return fmt.Sprintf("%d bytes of binary data", len(raw))
	}
	return clip(s, 200)
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// getJSON decodes a small response (users, setup keys) into v.
func (c *Client) getJSON(ctx context.Context, path string, v any) error {
	resp, cancel, err := c.get(ctx, path)
	if err != nil {
		return err
	}
	defer cancel()
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return &Error{Kind: KindDecode, Method: http.MethodGet, Path: c.base.Path + path, Status: resp.StatusCode,
			Message: "response is not the expected JSON: " + err.Error(), RequestID: resp.Header.Get("X-Request-Id")}
	}
	return nil
}

// User is the part of GET /api/users birdseye reads.
type User struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Email         string `json:"email"`
	Role          string `json:"role"`
	IsServiceUser bool   `json:"is_service_user"`
	// PendingApproval: the user joined and waits for an admin
	// (user_approval_required in the account settings).
	PendingApproval bool      `json:"pending_approval"`
	Status          string    `json:"status,omitempty"`
	IsBlocked       bool      `json:"is_blocked"`
	LastLogin       time.Time `json:"last_login,omitzero"`
}

// SetupKey is the part of GET /api/setup-keys birdseye reads.
type SetupKey struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Type       string    `json:"type,omitempty"`
	Ephemeral  bool      `json:"ephemeral"`
	Revoked    bool      `json:"revoked"`
	Valid      bool      `json:"valid"`
	State      string    `json:"state,omitempty"`
	AutoGroups []string  `json:"auto_groups"`
	Expires    time.Time `json:"expires,omitzero"`
	UsageLimit int       `json:"usage_limit"`
	UsedTimes  int       `json:"used_times"`
	LastUsed   time.Time `json:"last_used,omitzero"`
}

// ListUsers returns GET /api/users.
func (c *Client) ListUsers(ctx context.Context) ([]User, error) {
	var out []User
	return out, c.getJSON(ctx, "/users", &out)
}

// ListSetupKeys returns GET /api/setup-keys.
func (c *Client) ListSetupKeys(ctx context.Context) ([]SetupKey, error) {
	var out []SetupKey
	return out, c.getJSON(ctx, "/setup-keys", &out)
}

// TrustCA adds a private CA (PEM) to the system's roots for this client:
// NB_CA_FILE, for a management server whose certificate it signed.
func (c *Client) TrustCA(pem []byte) error {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return errors.New("holds no PEM certificate")
	}
	tr := c.http.Transport.(*http.Transport)
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return nil
}
