package config

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/robfig/cron/v3"

	"github.com/styliteag/birdseye/internal/schedule"
)

// Watch is the loop that derives birdseye.* alerts from polls of the API
// (peer down, approvals, expiries, new country).
type Watch struct {
	On             Bool    `envconfig:"WATCH" default:"on" desc:"off turns the watch (birdseye.* alerts: peer down, approvals, expiries, new country) off"`
	Interval       Seconds `envconfig:"WATCH_INTERVAL" default:"60" desc:"seconds between watch rounds (3 API requests each, plus 5 every 15 minutes and one per user every hour)"`
	PeerGroups     Globs   `envconfig:"WATCH_PEER_GROUPS" default:"" desc:"group-name globs whose peers are watched for disconnects like routing peers"`
	DownMinutes    Minutes `envconfig:"WATCH_PEER_DOWN_MINUTES" default:"5" desc:"minutes a watched peer must stay disconnected before it is reported"`
	ExpiryDays     Count   `envconfig:"WATCH_EXPIRY_DAYS" default:"7" desc:"days before a setup key, peer login or access token expires to warn (again one day before)"`
	ChangeDiffs    Bool    `envconfig:"CHANGE_DIFFS" default:"on" desc:"attach what an add, update or delete changed (before and after) to the audit event, from birdseye's snapshots"`
	Digest         string  `envconfig:"WATCH_DIGEST" desc:"when to send one message listing everything that expires within WATCH_EXPIRY_DAYS instead of one alert each, e.g. 0 8 * * 1-5 (empty = an alert each)"`
	UpdateSource   string  `envconfig:"UPDATE_SOURCE_URL" default:"https://pkgs.netbird.io/releases/latest/version" desc:"where the update check reads NetBird's newest version once a day: NetBird's public endpoint, an internal mirror (plain text or a GitHub release's JSON) or a file; off = only the server's own answer and the peers' versions"`
	UpdateBirdseye string  `envconfig:"UPDATE_BIRDSEYE_URL" desc:"where the update check reads birdseye's newest release, e.g. https://api.github.com/repos/styliteag/birdseye/releases/latest (empty = not checked)"`
	Fleet          Bool    `envconfig:"FLEET_METRICS" default:"off" desc:"on adds the network's own gauges (netbird_peers…, users, setup keys, routes, policies) to METRICS_ADDR's /metrics, from what the watch reads (plus the policies every 15 minutes)"`
	CertHosts      List    `envconfig:"CERT_WATCH_HOSTS" desc:"more TLS endpoints to watch, host or host:port (443), comma-separated; the management endpoint (CLONE_PRIMARY_HOST, else an https NB_URL) and the signal and relays NB_MANAGEMENT_CONFIG names are watched anyway"`
	CertDays       List    `envconfig:"CERT_WATCH_DAYS" default:"21,7,1" desc:"days before a TLS certificate (or an intermediate of its chain) expires to warn, each once"`
}

// DigestSchedule is WATCH_DIGEST's schedule, nil when it is not set.
func (w Watch) DigestSchedule() (cron.Schedule, error) {
	if strings.TrimSpace(w.Digest) == "" {
		return nil, nil
	}
	s, err := schedule.Parse(w.Digest)
	if err != nil {
		return nil, &Error{Var: "WATCH_DIGEST", Msg: fmt.Sprintf("=%q is not a schedule (%v); expected five fields, minute hour day month weekday, such as 0 8 * * 1-5, or @daily", w.Digest, err)}
	}
	return s, nil
}

// UpdateSourceOn is whether UPDATE_SOURCE_URL names a source.
func (w Watch) UpdateSourceOn() bool {
	v := strings.ToLower(strings.TrimSpace(w.UpdateSource))
	return v != "" && v != "off" && v != "false" && v != "no" && v != "0"
}

// checkUpdateURLs checks UPDATE_SOURCE_URL and UPDATE_BIRDSEYE_URL: an
// http(s) URL, a file (absolute path or file://), or off.
func (w Watch) checkUpdateURLs() error {
	for _, v := range []struct{ name, value string }{{"UPDATE_SOURCE_URL", w.UpdateSource}, {"UPDATE_BIRDSEYE_URL", w.UpdateBirdseye}} {
		val := strings.TrimSpace(v.value)
		if val == "" || v.name == "UPDATE_SOURCE_URL" && !w.UpdateSourceOn() || strings.HasPrefix(val, "/") {
			continue
		}
		if u, err := url.Parse(val); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" || err == nil && u.Scheme == "file" && u.Path != "" {
			continue
		}
		return &Error{Var: v.name, Msg: fmt.Sprintf("=%q is not a URL or a file; expected https://…, file:///path or /path (or off)", val)}
	}
	return nil
}

// checkCertHosts checks CERT_WATCH_HOSTS: host or host:port, a port from
// 1 to 65535.
func (w Watch) checkCertHosts() error {
	for _, h := range w.CertHosts {
		h = strings.TrimSpace(h)
		host, port, err := net.SplitHostPort(h)
		if err != nil {
			host, port = h, "443"
		}
		n, perr := strconv.Atoi(port)
		if host == "" || strings.ContainsAny(host, "/ ") || perr != nil || n < 1 || n > 65535 {
			return &Error{Var: "CERT_WATCH_HOSTS", Msg: fmt.Sprintf("has %q; expected host or host:port (a port from 1 to 65535), comma-separated, e.g. netbird.example.com,relay.example.com:443", h)}
		}
	}
	return nil
}

// CertLeads are CERT_WATCH_DAYS as numbers.
func (w Watch) CertLeads() ([]int, error) {
	var out []int
	for _, d := range w.CertDays {
		n, err := strconv.Atoi(strings.TrimSpace(d))
		if err != nil || n < 0 || n > 365 {
			return nil, &Error{Var: "CERT_WATCH_DAYS", Msg: fmt.Sprintf("has %q; expected whole days from 0 to 365, comma-separated, e.g. 21,7,1", d)}
		}
		out = append(out, n)
	}
	return out, nil
}
