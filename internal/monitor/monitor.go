// Package monitor tells monitoring how each scheduled job went: a Checkmk
// local check in the agent's spool directory (the Python tool's files, so
// existing Checkmk rules keep working) and push pings for dead-man
// monitoring (healthchecks.io's start/success/fail, or Uptime Kuma's push
// monitor). A job that never reports is what these catch: the check goes
// stale after its maximum age, the ping monitor alarms when no ping came.
package monitor

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Run is one run of a job, as monitoring learns of it.
type Run struct {
	Start   time.Time
	Took    time.Duration
	Summary string // the run's last report line, or the error's text
	Err     error
	Warn    bool // it ran, but did not prove what it is for (a skipped drill)
}

// Warning is what a job returns when it ran but proved less than it
// should: the check turns WARN with Msg, the pings say success.
type Warning struct{ Msg string }

func (w *Warning) Error() string { return w.Msg }

// Check is a job's Checkmk local check: the spool file
// <max age in seconds>_<File>.txt with one line "<status> <Service> - <text>".
type Check struct {
	File    string        // netbird_account_maintenance
	Service string        // NetBird_Account_Maintenance
	MaxAge  time.Duration // after it, Checkmk calls the check stale
	Label   string        // in the failure text: "maintenance FAILED: …"
}

// The statuses of a local check.
const (
	OK   = 0
	Warn = 1
	Crit = 2
	// Unknown: the check could not tell (a source that cannot be read).
	Unknown = 3
)

// Text is the check's line for a run, in the Python tool's words: OK
// "<local start> ok in <s>s; <summary>" (at most 400 characters), WARN
// "<local start> WARN after <s>s; <summary>", CRIT
// "<label> FAILED: <detail>" (at most 160 of the detail).
func (c Check) Text(r Run, loc *time.Location) (int, string) {
	if r.Err != nil {
		return Crit, c.Label + " FAILED: " + cut(oneLine(r.Summary), 160)
	}
	how := "ok in"
	if r.Warn {
		how = "WARN after" // no "ok" in a warning
	}
	text := fmt.Sprintf("%s %s %ds", r.Start.In(loc).Format("2006-01-02 15:04"), how, int(r.Took.Seconds()))
	if s := oneLine(r.Summary); s != "" {
		text += "; " + s
	}
	if r.Warn {
		return Warn, cut(text, 400)
	}
	return OK, cut(text, 400)
}

// SpoolProblem says why the jobs' checks cannot be written into dir, with
// the fix; "" when they can. A spool mounted from the host is often
// root's, 0755 (the Python image ran as root): birdseye's user may not
// write there, and every check goes stale.
func SpoolProblem(dir string) (problem, fix string) {
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return dir + " is not a directory: no Checkmk files are written", "mount the agent's spool directory there, e.g. /var/lib/check_mk_agent/spool"
	}
	f, err := os.CreateTemp(dir, ".birdseye-probe-*")
	if err != nil {
		uid, gid := os.Getuid(), os.Getgid()
		return fmt.Sprintf("%s is not writable by birdseye (UID %d): no Checkmk files are written and every job's check goes stale", dir, uid),
			fmt.Sprintf("on the host, let birdseye's group write there: chgrp %d %s && chmod g+w %s (or an ACL: setfacl -m u:%d:rwx %s)", gid, dir, dir, uid, dir)
	}
	f.Close()
	os.Remove(f.Name())
	return "", ""
}

// Write puts the check's file in dir atomically (a temp file, then a
// rename, so the agent never reads half a line).
func (c Check) Write(dir string, r Run, loc *time.Location) error {
	status, text := c.Text(r, loc)
	return WriteLocal(dir, c.File, c.MaxAge, []Service{{Status: status, Name: c.Service, Text: text}})
}

// Service is one line of a local check file: several services may share a
// file (one per watched certificate, say).
type Service struct {
	Status  int
	Name    string // no spaces: Checkmk splits the line on them
	Metrics string // "expiry_days=12;21;7", or "" for none
	Text    string
}

// WriteLocal writes the local check file <max age>_<file>.txt with one
// line per service, atomically (a temp file, then a rename, so the agent
// never reads half a file).
func WriteLocal(dir, file string, maxAge time.Duration, services []Service) error {
	var b strings.Builder
	for _, s := range services {
		m := s.Metrics
		if m == "" {
			m = "-"
		}
		fmt.Fprintf(&b, "%d %s %s %s\n", s.Status, strings.ReplaceAll(s.Name, " ", "_"), m, oneLine(s.Text))
	}
	path := filepath.Join(dir, strconv.Itoa(int(maxAge.Seconds()))+"_"+file+".txt")
	tmp, err := os.CreateTemp(dir, ".birdseye-checkmk-*")
	if err != nil {
		return fmt.Errorf("checkmk %s: %w", file, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		return fmt.Errorf("checkmk %s: %w", file, err)
	}
	if err := tmp.Chmod(0o644); err != nil { // the agent runs as another user
		tmp.Close()
		return fmt.Errorf("checkmk %s: %w", file, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("checkmk %s: %w", file, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("checkmk %s: %w", file, err)
	}
	return nil
}

// The ping conventions.
const (
	Healthchecks = "healthchecks" // <url>/start, <url>, <url>/fail; the report as the body
	UptimeKuma   = "uptime-kuma"  // <url>?status=up|down&msg=…&ping=<ms>; no start
)

// Pinger pings one job's URL.
type Pinger struct {
	URL   string
	Style string
	HTTP  *http.Client
}

// Start says the job began (healthchecks.io measures the run's length and
// alarms on a run that never ends).
func (p Pinger) Start(ctx context.Context) error {
	if p.URL == "" || p.Style == UptimeKuma {
		return nil
	}
	return p.send(ctx, strings.TrimRight(p.URL, "/")+"/start", "")
}

// Finish says how the run went.
func (p Pinger) Finish(ctx context.Context, r Run) error {
	if p.URL == "" {
		return nil
	}
	if p.Style == UptimeKuma {
		u, err := url.Parse(p.URL)
		if err != nil {
			return fmt.Errorf("ping: %w", err)
		}
		q := u.Query()
		q.Set("status", map[bool]string{true: "down", false: "up"}[r.Err != nil])
		q.Set("msg", cut(oneLine(r.Summary), 200))
		q.Set("ping", strconv.FormatInt(r.Took.Milliseconds(), 10))
		u.RawQuery = q.Encode()
		return p.send(ctx, u.String(), "")
	}
	target := p.URL
	if r.Err != nil {
		target = strings.TrimRight(p.URL, "/") + "/fail"
	}
	return p.send(ctx, target, r.Summary)
}

func (p Pinger) send(ctx context.Context, target, body string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	method := http.MethodGet
	if body != "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, target, strings.NewReader(body))
	if err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	client := p.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if ok := asURLError(err, &ue); ok {
			err = ue.Err // the URL is a secret: its token is in the path
		}
		return fmt.Errorf("ping: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("ping: HTTP %d", resp.StatusCode)
	}
	return nil
}

func asURLError(err error, target **url.Error) bool {
	ue, ok := err.(*url.Error)
	if ok {
		*target = ue
	}
	return ok
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
