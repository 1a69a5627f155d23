// Package nburl reads NB_URL the one way both the configuration check and
// the API client need: the base URL of the management API.
package nburl

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Normalise turns NB_URL into the API base URL: https is assumed when the
// scheme is missing, a trailing slash or /api is dropped, a path prefix is
// kept (https://example.com/netbird → https://example.com/netbird/api).
func Normalise(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("is not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("has scheme %q, not http or https", u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, errors.New("has no host name")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("has port %s, not 1 to 65535", p)
		}
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("has a query or fragment")
	}
	u.Path = strings.TrimSuffix(strings.TrimRight(u.Path, "/"), "/api") + "/api"
	u.RawPath = ""
	return u, nil
}
