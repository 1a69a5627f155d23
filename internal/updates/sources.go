package updates

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/version"
)

// The release sources by default.
const (
	// NetBirdReleases is the endpoint NetBird's own server and clients ask
	// (plain text: the newest version).
	NetBirdReleases = "https://pkgs.netbird.io/releases/latest/version"
	// BirdseyeReleases is birdseye's newest GitHub release (off unless
	// UPDATE_BIRDSEYE_URL names it).
	BirdseyeReleases = "https://api.github.com/repos/styliteag/birdseye/releases/latest"
)

// URLSource reads the newest version from an http(s) URL or a file: plain
// text (pkgs.netbird.io's form) or a GitHub release's JSON (its tag_name),
// so an internal mirror can serve either.
type URLSource struct {
	URL  string
	HTTP *http.Client // nil: a client with a 20 s timeout
}

func (s URLSource) String() string { return s.URL }

// Latest reads it.
func (s URLSource) Latest(ctx context.Context) (string, error) {
	body, err := s.read(ctx)
	if err != nil {
		return "", err
	}
	text := strings.TrimSpace(string(body))
	if strings.HasPrefix(text, "{") {
		var rel struct {
			Tag string `json:"tag_name"`
		}
		if err := json.Unmarshal(body, &rel); err != nil || rel.Tag == "" {
			return "", fmt.Errorf("%s: JSON without a tag_name", s.URL)
		}
		text = rel.Tag
	}
	text, _, _ = strings.Cut(text, "\n")
	if _, ok := Parse(text); !ok {
		return "", fmt.Errorf("%s: %q is not a version", s.URL, clip(text, 40))
	}
	return strings.TrimSpace(text), nil
}

func (s URLSource) read(ctx context.Context) ([]byte, error) {
	u, err := url.Parse(s.URL)
	if err != nil || u.Scheme == "" || u.Scheme == "file" {
		path := s.URL
		if err == nil && u.Scheme == "file" {
			path = u.Path
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read the release file: %w", err)
		}
		return b, nil
	}
	client := s.HTTP
	if client == nil {
		client = &http.Client{Timeout: 20 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", version.UserAgent())
	req.Header.Set("Accept", "application/vnd.github+json, text/plain")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d", s.URL, resp.StatusCode)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 64<<10))
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
