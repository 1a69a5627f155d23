// Package doctor finds out why birdseye does not work: it checks the
// configuration, NetBird (reachable, tokens valid and allowed to do what
// birdseye will ask of them, its version), SMTP (connect, TLS, login, no
// mail unless asked), the webhook (only when asked), the state directory,
// the backup paths and the schedules, and says per check ok, warn or fail
// with a hint.
package doctor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/styliteag/birdseye/internal/backup"
	"github.com/styliteag/birdseye/internal/certwatch"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/jobs"
	"github.com/styliteag/birdseye/internal/nburl"
	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/schedule"
	"github.com/styliteag/birdseye/internal/sqlitefile"
)

// Status of a check, worst last.
type Status int

const (
	OK Status = iota
	Warn
	Fail
)

func (s Status) String() string { return [...]string{"ok  ", "WARN", "FAIL"}[s] }

// Result is one check.
type Result struct {
	Status Status
	Name   string
	Detail string
	Hint   string
}

// Probes are the outside things doctor talks to; the command fills them
// from the configuration (tests give fakes).
type Probes struct {
	// Config is what the configuration check found wrong (config.Errors):
	// each problem is a failed line, and the other checks still run.
	Config error
	// API is nil when NB_URL or NB_API_KEY cannot make a client (APIErr).
	API       *netbird.Client // NB_API_KEY
	APIErr    error
	Admin     *netbird.Client // NB_ADMIN_API_KEY; nil when unset
	Environ   []string        // the variables set (os.Environ after .env), for misspelt names
	SMTPCheck func(ctx context.Context) error
	SMTPSend  func(ctx context.Context) error // --send-test
	Webhook   func(ctx context.Context) error // --send-test
	// Destinations are the other configured sinks (Slack … file), in order.
	Destinations []Destination
	SendTest     bool
	// Secrets are scrubbed from every line: a far end may echo one back in
	// its refusal (config.SecretValues).
	Secrets    []string
	LookupHost func(ctx context.Context, host string) ([]string, error)
	// Budget is what the daemon's loops ask of the API a minute, and the
	// share of each (apibudget.PerMinute); nil skips the check.
	Budget func() (float64, string)
	// Offsite connects to OFFSITE_SSH_HOST and probes the remote directory
	// without shipping (offsite.Check); nil when no host is set.
	Offsite func(ctx context.Context) (string, error)
	// Clone connects to the standby and looks at what is staged and
	// installed there (clone.Check); nil when CLONE_SSH_HOST is not set.
	Clone func(ctx context.Context) (string, error)
	// Mirror reads the mirror's target with MIRROR_API_KEY: what to say,
	// and a warning (a token that may not write) or a failure; nil when
	// MIRROR_URL is not set.
	Mirror func(ctx context.Context) (msg, warn string, err error)
	// Targets are BACKUP_TARGETS, each checked without storing anything.
	Targets []Checker
	// EventsDB looks at events.db for EVENTS_SOURCE=db: what to say, and
	// a warning or a failure.
	EventsDB func(ctx context.Context) (msg, warn string, err error)
	// Certs reads the TLS endpoints the certificate watch reads, and says
	// why NB_MANAGEMENT_CONFIG was not read ("" when it was or is unset).
	Certs func(ctx context.Context, now time.Time) (rs []certwatch.Reading, unread string)
}

// Checker is a destination doctor can reach and probe.
type Checker interface {
	String() string
	Check(ctx context.Context) (string, error)
}

// Destination is a configured sink doctor can check: Reach without
// sending (nil when it cannot: a webhook is only known by posting), Send
// a sample event (--send-test).
type Destination struct {
	Name  string
	Reach func(ctx context.Context) error
	Send  func(ctx context.Context) error
}

// Run performs every check that applies and writes one line each.
func Run(ctx context.Context, cfg *config.Config, p Probes, now time.Time, w io.Writer) Status {
	var results []Result
	add := func(r Result) {
		r.Detail = config.Scrub(r.Detail, p.Secrets)
		results = append(results, r)
		line := fmt.Sprintf("%s  %-22s %s", r.Status, r.Name, r.Detail)
		if r.Hint != "" {
			line += "  (hint: " + r.Hint + ")"
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	repeated := config.DotEnvRepeated()
	for _, k := range repeated {
		add(Result{Status: Warn, Name: "configuration", Detail: ".env sets " + k + " more than once; the last value is used", Hint: "keep one line of it"})
	}
	var problems config.Errors
	if p.Config != nil && !errors.As(p.Config, &problems) {
		problems = config.Errors{p.Config}
	}
	for _, e := range problems {
		add(Result{Status: Fail, Name: "configuration", Detail: e.Error()})
	}
	if unknown := config.Unknown(p.Environ); len(unknown) > 0 {
		for _, u := range unknown {
			add(Result{Status: Warn, Name: "configuration", Detail: u.String()})
		}
	} else if len(repeated) == 0 && len(problems) == 0 {
		add(Result{Status: OK, Name: "configuration", Detail: "every variable is valid"})
	}
	checkNetBird(ctx, cfg, p, add)
	checkMail(ctx, cfg, p, add)
	checkDestinations(ctx, p, add)
	checkState(cfg, add)
	checkBackup(cfg, add)
	checkStores(cfg, add)
	checkSchedules(cfg, now, add)
	checkCheckmk(cfg.Monitor.CheckmkDir, add)
	checkOffsite(ctx, cfg, p, add)
	checkMirror(ctx, p, add)
	checkClone(ctx, p, add)
	checkTargets(ctx, p, add)
	checkCerts(ctx, cfg, p, now, add)
	if p.EventsDB != nil {
		msg, warn, err := p.EventsDB(ctx)
		switch {
		case err != nil:
			add(Result{Fail, "EVENTS_DB", err.Error(), "the daemon would read the audit events from the API instead"})
		case warn != "":
			add(Result{Warn, "EVENTS_DB", msg + "; " + warn, ""})
		default:
			add(Result{OK, "EVENTS_DB", msg, ""})
		}
	}
	worst := OK
	for _, r := range results {
		worst = max(worst, r.Status)
	}
	return worst
}

func checkNetBird(ctx context.Context, cfg *config.Config, p Probes, add func(Result)) {
	if p.API == nil {
		why := "NB_URL is not usable"
		if p.APIErr != nil {
			why += ": " + p.APIErr.Error()
		}
		add(Result{Fail, "NetBird API", "not checked: " + why, "set NB_URL to the management API (https://netbird.example.com) and NB_API_KEY to a service user's token"})
		checkAdmin(ctx, p, add)
		return
	}
	u, _ := nburl.Normalise(cfg.NetBird.URL)
	lookup := p.LookupHost
	if lookup == nil {
		lookup = net.DefaultResolver.LookupHost
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil {
		addrs, err := lookup(ctx, u.Hostname())
		if err != nil {
			add(Result{Fail, "NB_URL resolves", fmt.Sprintf("%s: %v", u.Hostname(), err), "check the host name and this container's DNS (shared network: the management service's name)"})
			return
		}
		add(Result{OK, "NB_URL resolves", u.Hostname() + " → " + strings.Join(addrs, ", "), ""})
	}
	list, err := p.API.ListAuditEvents(ctx, func(event.ID) bool { return false })
	switch k := netbird.KindOf(err); {
	case err == nil:
		add(Result{OK, "NB_API_KEY events", fmt.Sprintf("reads the audit log (%d events, newest id %d)", list.Count, list.MaxID), ""})
	case k == netbird.KindAuth || k == netbird.KindNotFound:
		add(Result{Fail, "NB_API_KEY events", err.Error(), "a service user's token with at least the Auditor role; a 404 with a JSON body means the token was deleted"})
		checkAdmin(ctx, p, add) // the other token is checked all the same
		return
	default:
		add(Result{Fail, "NB_API_KEY events", err.Error(), "is NB_URL the management API, and reachable from here?"})
		return
	}
	if _, err := p.API.ListUsers(ctx); err != nil {
		add(Result{Warn, "NB_API_KEY users", err.Error(), "initiators then show as id:<prefix>; give the token's user the Auditor role"})
	} else {
		add(Result{OK, "NB_API_KEY users", "reads users and setup keys for initiator names", ""})
	}
	checkUpdates(ctx, cfg, p, time.Now(), add)
	checkStreams(ctx, cfg, p.API, add)
	if p.Budget != nil {
		n, parts := p.Budget()
		if n > 6 {
			add(Result{Warn, "API request budget", fmt.Sprintf("about %.1f requests a minute (%s)", n, parts),
				"NetBird's optional rate limiter allows 6 a minute per token; if it is on, raise WATCH_INTERVAL or the poll intervals"})
		} else {
			add(Result{OK, "API request budget", fmt.Sprintf("about %.1f requests a minute (%s), within NetBird's optional limit of 6", n, parts), ""})
		}
	}
	checkAdmin(ctx, p, add)
}

// checkAdmin says what NB_ADMIN_API_KEY may do.
func checkAdmin(ctx context.Context, p Probes, add func(Result)) {
	if p.Admin == nil {
		add(Result{Warn, "NB_ADMIN_API_KEY", "not set: ephemeral cleanup, pruning, export and the policy commands are off", ""})
		return
	}
	me, err := tokenUser(ctx, p.Admin)
	switch {
	case errors.Is(err, errRoleUnreadable):
		add(Result{Warn, "NB_ADMIN_API_KEY", "accepted; its role is not readable with a service-user token on this server", "cleanup, export and policy writes need the Admin role: they will say so if it lacks it"})
		return
	case err != nil:
		add(Result{Fail, "NB_ADMIN_API_KEY", err.Error(), "a token of a service user with the Admin role"})
		return
	}
	if me.Role != "admin" && me.Role != "owner" {
		add(Result{Warn, "NB_ADMIN_API_KEY", fmt.Sprintf("%s has the role %q", me.Name, me.Role), "cleanup, export and policy writes need the Admin (or Owner) role"})
		return
	}
	add(Result{OK, "NB_ADMIN_API_KEY", fmt.Sprintf("%s, role %s", me.Name, me.Role), ""})
}

// checkStreams says which of the other event streams this server has, for
// the traffic and proxy-logs commands and for TRAFFIC_EVENTS / PROXY_LOGS.
// Neither is required: missing is a WARN only when it is switched on.
func checkStreams(ctx context.Context, cfg *config.Config, api *netbird.Client, add func(Result)) {
	on := func(b config.Bool, name string) string {
		if b {
			return "; " + name + "=on forwards them"
		}
		return ""
	}
	switch tp, err := api.ListTraffic(ctx, netbird.TrafficFilter{}, 1, 1); {
	case err == nil:
		add(Result{OK, "traffic events", fmt.Sprintf("available (%d records)%s", tp.TotalRecords, on(cfg.Streams.Traffic, "TRAFFIC_EVENTS")), ""})
	case netbird.NoSuchRoute(err) && bool(cfg.Streams.Traffic):
		add(Result{Warn, "traffic events", "TRAFFIC_EVENTS=on but this server has none (a NetBird Cloud feature)", "birdseye asks again every hour; set TRAFFIC_EVENTS=off to stop asking"})
	case netbird.NoSuchRoute(err):
		add(Result{OK, "traffic events", "not on this server (a NetBird Cloud feature); `traffic` commands say so", ""})
	default:
		add(Result{Warn, "traffic events", err.Error(), "the `traffic` commands will fail the same way"})
	}
	if pp, err := api.ListProxyLogs(ctx, netbird.ProxyLogFilter{}, 1, 1); err == nil {
		add(Result{OK, "proxy access log", fmt.Sprintf("available (%d requests logged)%s", pp.TotalRecords, on(cfg.Streams.Proxy, "PROXY_LOGS")), ""})
	} else {
		add(Result{Warn, "proxy access log", err.Error(), "the `proxy-logs` commands will fail the same way"})
	}
}

func checkMail(ctx context.Context, cfg *config.Config, p Probes, add func(Result)) {
	if cfg.SMTP.Host != "" && p.SMTPCheck != nil {
		where := fmt.Sprintf("%s %s:%d", cfg.SMTP.TLSMode, cfg.SMTP.Host, cfg.SMTP.Port)
		if err := p.SMTPCheck(ctx); err != nil {
			add(Result{Fail, "SMTP", err.Error(), "check SMTP_HOST, SMTP_PORT, SMTP_TLS_MODE, SMTP_USER/SMTP_PASSWORD; a private CA goes in SSL_CERT_FILE"})
		} else {
			detail := where + ": connected"
			if cfg.SMTP.User != "" {
				detail += ", logged in"
			}
			add(Result{OK, "SMTP", detail + " (nothing sent)", ""})
		}
		if p.SendTest && p.SMTPSend != nil {
			if err := p.SMTPSend(ctx); err != nil {
				add(Result{Fail, "SMTP test mail", err.Error(), ""})
			} else {
				add(Result{OK, "SMTP test mail", "sent to " + strings.Join(cfg.SMTP.To, ", "), ""})
			}
		}
	}
	if cfg.Mattermost.Enabled() {
		if !p.SendTest || p.Webhook == nil {
			add(Result{OK, "Mattermost", "configured; not contacted (doctor --send-test posts a test message)", ""})
		} else if err := p.Webhook(ctx); err != nil {
			add(Result{Fail, "Mattermost", err.Error(), "check MATTERMOST_WEBHOOK_URL; a deleted hook answers 400 Invalid webhook."})
		} else {
			add(Result{OK, "Mattermost", "test message posted", ""})
		}
	}
}

func checkDestinations(ctx context.Context, p Probes, add func(Result)) {
	for _, d := range p.Destinations {
		switch {
		case p.SendTest && d.Send != nil:
			if err := d.Send(ctx); err != nil {
				add(Result{Fail, d.Name, err.Error(), "check its variables; `birdseye sinks test " + d.Name + "` tries again"})
			} else {
				add(Result{OK, d.Name, "sample event delivered", ""})
			}
		case d.Reach != nil:
			if err := d.Reach(ctx); err != nil {
				add(Result{Fail, d.Name, err.Error(), "check its address, certificate and mounts"})
			} else {
				add(Result{OK, d.Name, "reachable (nothing sent; doctor --send-test sends a sample event)", ""})
			}
		default:
			add(Result{OK, d.Name, "configured; not contacted (doctor --send-test sends a sample event)", ""})
		}
	}
}

func checkState(cfg *config.Config, add func(Result)) {
	dir := filepath.Dir(cfg.Forwarder.StateFile)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		add(Result{Fail, "state directory", err.Error(), "mount a writable volume at " + dir})
		return
	}
	f, err := os.CreateTemp(dir, ".doctor-*")
	if err != nil {
		add(Result{Fail, "state directory", dir + " is not writable: " + err.Error(), "mount a writable volume there (the compose file's birdseye-state)"})
		return
	}
	f.Close()
	os.Remove(f.Name())
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err == nil {
		free := int64(st.Bavail) * int64(st.Bsize)
		if free < 100<<20 {
			add(Result{Warn, "state directory", fmt.Sprintf("%s: only %d MiB free", dir, free>>20), "outboxes grow while a sink is down"})
			return
		}
		add(Result{OK, "state directory", fmt.Sprintf("%s: writable, %d MiB free", dir, free>>20), ""})
		return
	}
	add(Result{OK, "state directory", dir + ": writable", ""})
}

func checkBackup(cfg *config.Config, add func(Result)) {
	paths := cfg.Backup.Paths
	if len(paths) == 0 {
		return
	}
	srcs, err := backup.Sources(paths)
	if err != nil {
		add(Result{Fail, "BACKUP_PATHS", err.Error(), "mount NetBird's volumes read-only and list their paths inside the container"})
		return
	}
	var dbs []string
	for _, src := range srcs {
		err := sqlitefile.Readable(src, func(path string) {
			if sqlitefile.IsSQLite(path) {
				dbs = append(dbs, path)
			}
		})
		if err != nil {
			add(Result{Fail, "BACKUP_PATHS", src + ": " + err.Error(), "NetBird's volumes are root-owned: see the README (user 0:0 with DAC_READ_SEARCH, or group read access)"})
			return
		}
	}
	detail := fmt.Sprintf("%d path(s) readable", len(srcs))
	if len(dbs) > 0 {
		detail += "; SQLite: " + strings.Join(dbs, ", ")
	}
	add(Result{OK, "BACKUP_PATHS", detail, ""})
	if cfg.Backup.Password != "" {
		if err := cfg.Backup.CheckPassword(); err != nil {
			add(Result{Fail, "BACKUP_ZIP_PASSWORD", err.Error(), ""})
		}
	}
}

func checkSchedules(cfg *config.Config, now time.Time, add func(Result)) {
	loc := cfg.Log.TZ.Loc
	// The daemon's own judgement (jobs.JobsOff), so both say the same.
	off := map[string]jobs.Off{}
	for _, j := range jobs.JobsOff(cfg) {
		off[j.Variable] = j
	}
	for _, j := range jobs.Table {
		spec := j.Schedule(cfg.Schedule)
		if spec == "" {
			continue
		}
		s, err := schedule.Parse(spec)
		if err != nil {
			add(Result{Fail, j.Variable, err.Error(), ""})
			continue
		}
		if o, isOff := off[j.Variable]; isOff {
			status := Warn
			if o.Default {
				status = OK
			}
			add(Result{status, j.Variable, o.Text(), ""})
			continue
		}
		add(Result{OK, j.Variable, fmt.Sprintf("%q, next run %s", spec, s.Next(now.In(loc)).Format("2006-01-02 15:04 MST")), ""})
	}
}
