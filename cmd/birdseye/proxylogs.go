package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/proxylog"
)

type proxyLogsCmd struct {
	List proxyLogsListCmd `cmd:"" help:"List requests to services exposed through NetBird's reverse proxy, newest first."`
	Tail proxyLogsTailCmd `cmd:"" help:"Show the newest requests, then follow new ones, one line each."`
}

type proxyLogsTailCmd struct {
	tailFlags
	Status string `help:"Only success or failed requests."`
	Host   string `help:"Only requests to this host."`
}

// Run prints the newest requests, then new ones every interval. A failed
// poll is reported on stderr and retried; Ctrl-C or SIGTERM ends it.
func (c proxyLogsTailCmd) Run(ctx context.Context, e *env) error {
	if err := c.check(); err != nil {
		return err
	}
	f, err := proxyLogsListCmd{Status: c.Status, Host: c.Host, Limit: 1}.filter(time.Now())
	if err != nil {
		return err
	}
	t, client, err := tool(readToken, "proxy-logs tail")
	if err != nil {
		return err
	}
	return tailRows(ctx, e, "proxy-logs tail", c.tailFlags,
		func(l netbird.ProxyLog) string { return proxylog.Line(l, t.Log.TZ.Loc) },
		func() ([]netbird.ProxyLog, proxylog.Cursor, error) {
			return proxylog.Newest(ctx, client, f, c.Initial, time.Now())
		},
		func(cur proxylog.Cursor) ([]netbird.ProxyLog, proxylog.Cursor, error) {
			return proxylog.Poll(ctx, client, f, cur, 10)
		})
}

type proxyLogsListCmd struct {
	Status     string `help:"Only success or failed requests."`
	StatusCode int    `name:"status-code" help:"Only this HTTP status code (100 to 599)."`
	Host       string `help:"Only requests to this host."`
	Path       string `help:"Only requests to this path."`
	Method     string `help:"Only this HTTP method (GET, POST, …)."`
	SourceIP   string `name:"source-ip" help:"Only requests from this IP address."`
	User       string `help:"Only requests of this user ID."`
	Search     string `help:"Free-text search."`
	Since      string `help:"Only requests since: RFC 3339 or back from now (1h, 30m, 7d)."`
	Until      string `help:"Only requests until: RFC 3339 or back from now."`
	Limit      int    `default:"100" help:"Show at most this many requests (1 to 10000)."`
	output
}

var httpMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

// filter turns the flags into a server query, or names the bad flag.
func (c proxyLogsListCmd) filter(now time.Time) (netbird.ProxyLogFilter, error) {
	f := netbird.ProxyLogFilter{Host: c.Host, Path: c.Path, SourceIP: c.SourceIP, UserID: c.User, Search: c.Search}
	if c.Limit < 1 || c.Limit > 10000 {
		return f, &flagError{Flag: "--limit", Msg: fmt.Sprintf("=%d is out of range; expected 1 to 10000", c.Limit)}
	}
	switch s := strings.ToLower(c.Status); s {
	case "", "success", "failed":
		f.Status = s
	default:
		return f, &flagError{Flag: "--status", Msg: fmt.Sprintf("=%q; expected success or failed", c.Status)}
	}
	if c.StatusCode != 0 && (c.StatusCode < 100 || c.StatusCode > 599) {
		return f, &flagError{Flag: "--status-code", Msg: fmt.Sprintf("=%d; expected an HTTP status code from 100 to 599", c.StatusCode)}
	}
	f.StatusCode = c.StatusCode
	if c.Method != "" {
		f.Method = strings.ToUpper(c.Method)
		if !slices.Contains(httpMethods, f.Method) {
			return f, &flagError{Flag: "--method", Msg: fmt.Sprintf("=%q; expected one of %s", c.Method, strings.Join(httpMethods, ", "))}
		}
	}
	var err error
	f.Start, f.End, err = timeWindow(c.Since, c.Until, now)
	return f, err
}

func (c proxyLogsListCmd) Run(ctx context.Context, e *env) error {
	f, err := c.filter(time.Now())
	if err != nil {
		return err
	}
	t, client, err := tool(readToken, "proxy-logs list")
	if err != nil {
		return err
	}
	logs, err := proxylog.List(ctx, client, f, c.Limit)
	if err != nil {
		return adminHint(err)
	}
	if c.json() {
		if logs == nil {
			logs = []netbird.ProxyLog{}
		}
		return writeJSON(e.stdout, logs)
	}
	proxylog.Table(e.stdout, logs, t.Log.TZ.Loc)
	return nil
}
