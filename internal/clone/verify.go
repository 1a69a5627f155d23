package clone

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// compared are the lists verify counts on both sides, in report order.
var compared = []struct{ name, path string }{
	{"peers", "/api/peers"}, {"groups", "/api/groups"}, {"policies", "/api/policies"}, {"networks", "/api/networks"},
	{"users", "/api/users"}, {"setup-keys", "/api/setup-keys"}, {"posture-checks", "/api/posture-checks"},
}

// API is one management server as verify reads it.
type API struct {
	URL    string // https://name[:port], as clients reach it
	Dial   string // host:port to connect to instead of the URL's (the standby's address), "" = the URL's
	Token  string
	RootCA *x509.CertPool // nil = the system's trust store
}

// Row is one compared value.
type Row struct {
	Name    string `json:"name"`
	Primary string `json:"primary"`
	Standby string `json:"standby"`
	Same    bool   `json:"same"`
}

// Verification is what `clone verify` found.
type Verification struct {
	Target   string `json:"target"`
	TLS      string `json:"tls,omitempty"` // the standby's certificate, when it was reached
	Problem  string `json:"problem,omitempty"`
	Rows     []Row  `json:"rows,omitempty"`
	Faithful bool   `json:"faithful"`
}

// Verify compares the standby with the primary over their APIs: the
// standby is reached at its own address but spoken to as the primary's
// name (SNI and Host), with the certificate chain verified, so a pass means
// moving the DNS record would just work. The primary is only read.
func Verify(ctx context.Context, target string, primary, standby API) *Verification {
	v := &Verification{Target: target}
	if !strings.HasPrefix(standby.URL, "https://") {
		v.Problem = "the standby is verified as clients reach it, over TLS; got " + standby.URL
		return v
	}
	sc, err := standby.client()
	if err != nil {
		v.Problem = err.Error()
		return v
	}
	sAcct, resp, err := get(ctx, sc, standby, "/api/accounts")
	if resp != nil && resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		c := resp.TLS.PeerCertificates[0]
		v.TLS = fmt.Sprintf("%s  valid until %s  (chain verified against %s)", c.Subject.CommonName, c.NotAfter.UTC().Format("2006-01-02"), trustName(standby))
	}
	if err != nil {
		v.Problem = "cannot reach it: " + err.Error()
		return v
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized, http.StatusForbidden:
		v.Problem = fmt.Sprintf("API: HTTP %d — it did not accept the primary's token", resp.StatusCode)
		return v
	default:
		v.Problem = fmt.Sprintf("API: HTTP %d — the management server there is not serving", resp.StatusCode)
		return v
	}
	pc, err := primary.client()
	if err != nil {
		v.Problem = err.Error()
		return v
	}
	pAcct, presp, err := get(ctx, pc, primary, "/api/accounts")
	if err != nil || presp.StatusCode != http.StatusOK {
		v.Problem = "the primary did not answer: " + errText(err, presp)
		return v
	}
	v.Rows = append(v.Rows, row("account id", accountID(pAcct), accountID(sAcct)))
	for _, c := range compared {
		p, pr, perr := get(ctx, pc, primary, c.path)
		s, sr, serr := get(ctx, sc, standby, c.path)
		v.Rows = append(v.Rows, row(c.name, count(p, pr, perr), count(s, sr, serr)))
	}
	v.Faithful = true
	for _, r := range v.Rows {
		v.Faithful = v.Faithful && r.Same
	}
	return v
}

// Reason says in one line why the standby is not faithful: what went
// wrong, or which compared values differ; "" when it is.
func (v *Verification) Reason() string {
	if v.Faithful {
		return ""
	}
	if v.Problem != "" {
		return v.Problem
	}
	var diff []string
	for _, row := range v.Rows {
		if !row.Same {
			diff = append(diff, fmt.Sprintf("%s %s on the primary, %s on the standby", row.Name, row.Primary, row.Standby))
		}
	}
	return "the standby does not match the primary: " + strings.Join(diff, "; ")
}

// starting says the standby was not serving yet: not reached, or its
// proxy answered for a backend still starting.
func (v *Verification) starting() bool {
	return strings.HasPrefix(v.Problem, "cannot reach it") || strings.HasSuffix(v.Problem, "the management server there is not serving")
}

func row(name, p, s string) Row {
	return Row{Name: name, Primary: p, Standby: s, Same: p == s && !strings.HasPrefix(p, "error")}
}

func trustName(a API) string {
	if a.RootCA != nil {
		return "CLONE_CA_FILE"
	}
	return "the system trust store"
}

// client is an HTTP client for a: the primary may be an http URL on the
// Docker network (NB_URL); the standby is always spoken to over TLS.
func (a API) client() (*http.Client, error) {
	if !strings.HasPrefix(a.URL, "https://") && !strings.HasPrefix(a.URL, "http://") {
		return nil, fmt.Errorf("verify needs an http(s) URL, got %s", a.URL)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: a.RootCA, MinVersion: tls.VersionTLS12}}
	if a.Dial != "" {
		d := &net.Dialer{Timeout: 10 * time.Second}
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, a.Dial)
		}
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}, nil
}

func get(ctx context.Context, c *http.Client, a API, p string) (json.RawMessage, *http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(a.URL, "/")+p, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Token "+a.Token)
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	return b, resp, err
}

func errText(err error, resp *http.Response) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("HTTP %d", resp.StatusCode)
}

func count(b json.RawMessage, resp *http.Response, err error) string {
	if err != nil || resp.StatusCode != http.StatusOK {
		return "error: " + errText(err, resp)
	}
	var items []json.RawMessage
	if json.Unmarshal(b, &items) != nil {
		return "error: not a list"
	}
	return fmt.Sprint(len(items))
}

func accountID(b json.RawMessage) string {
	var accts []struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(b, &accts) != nil || len(accts) == 0 {
		return "error: no account"
	}
	return accts[0].ID
}

// Text is the one-screen report: the certificate, the table, the verdict.
func (v *Verification) Text(w io.Writer, failover bool) {
	if v.TLS != "" {
		fmt.Fprintf(w, "  TLS   %s\n", v.TLS)
	}
	if v.Problem != "" {
		fmt.Fprintf(w, "  %s\n", v.Problem)
		fmt.Fprintf(w, "Verify of %s FAILED: %s\n", v.Target, v.Problem)
		return
	}
	width := 24
	for _, r := range v.Rows {
		width = max(width, len(r.Primary))
	}
	fmt.Fprintf(w, "  %-16s %-*s %-*s\n", "", width, "primary", width, "standby")
	for _, r := range v.Rows {
		mark := "ok"
		if !r.Same {
			mark = "DIFFERS"
		}
		fmt.Fprintf(w, "  %-16s %-*s %-*s %s\n", r.Name, width, r.Primary, width, r.Standby, mark)
	}
	switch {
	case v.Faithful && failover:
		fmt.Fprintln(w, "The clone is faithful — moving the A record would just work.")
	case v.Faithful:
		fmt.Fprintln(w, "Matches the primary.")
	case failover:
		fmt.Fprintln(w, "The clone does NOT match the primary.")
	default:
		fmt.Fprintln(w, "Does NOT match the primary.")
	}
}
