// Package config is birdseye's environment contract: one struct per component,
// loaded with envconfig, validated at start, with secrets that may come from
// files (NB_API_KEY_FILE, the Docker secrets convention) and never print.
//
// Variable names, defaults and meanings are those of the Python tool birdseye
// replaces, so an existing .env keeps working.
package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Forwarder is the audit-event poll loop.
type Forwarder struct {
	StateFile            string  `envconfig:"STATE_FILE" default:"/var/lib/birdseye/state.json" desc:"state file (cursor, outage clock); keep it on a volume"`
	PollInterval         Seconds `envconfig:"POLL_INTERVAL" default:"60" desc:"seconds between polls of the audit API (decimals allowed)"`
	BackoffCap           Seconds `envconfig:"BACKOFF_CAP_SECONDS" default:"300" desc:"longest wait between polls while the API fails"`
	MaxCatchup           Count   `envconfig:"MAX_CATCHUP" default:"200" desc:"most events a sink people read (chat, ntfy, e-mail) gets after a backlog; older ones are summarised (0 = no cap); webhook, syslog and file get every event"`
	BacklogWarnThreshold Count   `envconfig:"BACKLOG_WARN_THRESHOLD" default:"1000" desc:"warn once when one poll returns more events than this (0 = never)"`
	OutageAlertAfter     Minutes `envconfig:"OUTAGE_ALERT_MINUTES" default:"10" desc:"minutes of API failure before the outage alert"`
	Backfill             Count   `envconfig:"BACKFILL" default:"0" desc:"on first boot, forward the newest N existing events instead of none"`
	BurstLimit           Count   `envconfig:"BURST_LIMIT" default:"20" desc:"more events than this of one code by one initiator in one message are summarised in one line in Mattermost and mail (0 = never); stdout keeps every line"`
	SinkQueueMax         Count   `envconfig:"SINK_QUEUE_MAX" default:"10000" desc:"most events waiting per sink while it is down; past it the oldest are dropped and counted (0 = no limit)"`
}

// Mattermost is the incoming-webhook sink; an empty URL turns it off.
type Mattermost struct {
	WebhookURL  Secret `envconfig:"MATTERMOST_WEBHOOK_URL" desc:"incoming webhook URL; empty = Mattermost off"`
	Username    string `envconfig:"MATTERMOST_USERNAME" default:"birdseye" desc:"name the posts appear under (if the server allows overriding it)"`
	Channel     string `envconfig:"MATTERMOST_CHANNEL" desc:"channel to post to instead of the webhook's own (empty = the webhook's)"`
	IconURL     string `envconfig:"MATTERMOST_ICON_URL" desc:"icon of the posts (empty = the webhook's)"`
	Include     Globs  `envconfig:"MATTERMOST_INCLUDE" default:"*" desc:"activity-code globs posted to Mattermost"`
	Exclude     Globs  `envconfig:"MATTERMOST_EXCLUDE" default:"" desc:"activity-code globs not posted to Mattermost"`
	StartupTest Bool   `envconfig:"MATTERMOST_STARTUP_TEST" default:"false" desc:"post a test message at start"`
}

// Enabled reports whether the sink is on.
func (m Mattermost) Enabled() bool { return m.WebhookURL != "" }

// Stdout is the stdout sink's filter.
type Stdout struct {
	Include Globs `envconfig:"STDOUT_INCLUDE" default:"*" desc:"activity-code globs printed on stdout"`
	Exclude Globs `envconfig:"STDOUT_EXCLUDE" default:"" desc:"activity-code globs not printed on stdout"`
}

// Metrics is where Prometheus scrapes birdseye.
type Metrics struct {
	Addr string `envconfig:"METRICS_ADDR" desc:"listen address of /metrics, /healthz and /readyz, e.g. :9469 (empty = off)"`
}

func (m Metrics) validate() error {
	if m.Addr == "" {
		return nil
	}
	if _, port, err := net.SplitHostPort(m.Addr); err != nil || port == "" {
		return &Error{Var: "METRICS_ADDR", Msg: fmt.Sprintf("=%q is not host:port; expected e.g. :9469 or 127.0.0.1:9469", m.Addr)}
	}
	return nil
}

// Log is the diagnostics on stderr.
type Log struct {
	Level  string   `envconfig:"LOG_LEVEL" default:"info" desc:"debug, info, warn or error"`
	Format string   `envconfig:"LOG_FORMAT" default:"text" desc:"text or json"`
	TZ     Location `envconfig:"TZ" default:"UTC" desc:"time zone of displayed event times"`
}

// Config is everything `birdseye run` needs.
type Config struct {
	NetBird     NetBird
	Forwarder   Forwarder
	Events      Events
	Streams     Streams
	Watch       Watch
	Stdout      Stdout
	Mattermost  Mattermost
	Webhook     Webhook
	Syslog      Syslog
	File        File
	Chat        Chat
	Ntfy        Ntfy
	Splunk      Splunk
	Elastic     Elastic
	Loki        Loki
	Telegram    Telegram
	OTLP        OTLP
	Email       Email
	SMTP        SMTP
	Schedule    Schedule
	Prune       Prune
	Lint        Lint
	Maintenance Maintenance
	Backup      Backup
	Offsite     Offsite
	Mirror      Mirror
	Clone       Clone
	Monitor     Monitor
	Metrics     Metrics
	Log         Log
}

// Load reads and validates the whole configuration from the environment.
func Load() (*Config, error) {
	c, err := LoadPartial()
	if err != nil {
		return nil, err
	}
	return c, nil
}

// LoadPartial is Load for `doctor`, which reports every problem and then
// checks what it still can: the settings come back even with the error,
// each value that did not parse or check out left as read or at its default.
func LoadPartial() (*Config, error) {
	var c Config
	var errs []error
	for _, part := range []any{&c.NetBird, &c.Forwarder, &c.Events, &c.Streams, &c.Watch, &c.Stdout, &c.Mattermost, &c.Webhook, &c.Syslog, &c.File, &c.Chat, &c.Ntfy, &c.Splunk, &c.Elastic, &c.Loki, &c.Telegram, &c.OTLP, &c.Email, &c.SMTP, &c.Schedule, &c.Prune, &c.Lint, &c.Maintenance, &c.Backup, &c.Offsite, &c.Mirror, &c.Clone, &c.Monitor, &c.Metrics, &c.Log} {
		errs = append(errs, process(part))
	}
	c.Offsite.fill()
	c.Clone.fill()
	// A value that did not parse keeps its default, which is valid: the
	// checks below still run, and every problem is reported at once.
	errs = append(errs, c.validate())
	return &c, Join(errs...)
}

// Tool is what the one-shot commands need: where NetBird is, the tokens
// (checked by each command for what it does), and the log settings.
type Tool struct {
	NetBird  NetBird
	Prune    Prune
	Lint     Lint
	Backup   Backup
	Offsite  Offsite
	Mirror   Mirror
	Clone    Clone
	SMTP     SMTP
	Log      Log
	Monitor  Monitor  // a job's command run by hand reports as the schedule does
	Schedule Schedule // how soon that report is stale
}

// Config is the tool's settings as a Config, for the jobs a command runs
// by hand.
func (t *Tool) Config() *Config {
	return &Config{NetBird: t.NetBird, Prune: t.Prune, Lint: t.Lint, Backup: t.Backup, Offsite: t.Offsite, Mirror: t.Mirror, Clone: t.Clone,
		SMTP: t.SMTP, Log: t.Log, Monitor: t.Monitor, Schedule: t.Schedule}
}

// LoadTool reads and checks the settings of the one-shot commands.
func LoadTool() (*Tool, error) {
	var t Tool
	for _, part := range []any{&t.NetBird, &t.Prune, &t.Lint, &t.Backup, &t.Offsite, &t.Mirror, &t.Clone, &t.SMTP, &t.Log, &t.Monitor, &t.Schedule} {
		if err := process(part); err != nil {
			return nil, err
		}
	}
	t.Offsite.fill()
	t.Clone.fill()
	if err := t.SMTP.validate(); err != nil {
		return nil, err
	}
	if err := t.Log.validate(); err != nil {
		return nil, err
	}
	return &t, nil
}

// CheckURL is NB_URL's rule for the commands that reach the API.
func (t *Tool) CheckURL() error {
	if strings.TrimSpace(t.NetBird.URL) == "" {
		return &Error{Var: "NB_URL", Msg: "is not set; expected the management URL, e.g. https://netbird.example.com"}
	}
	return t.NetBird.checkTransport()
}

// LoadForwarder reads only the forwarder's settings (STATE_FILE, …), for
// `birdseye healthcheck`, which needs no API.
func LoadForwarder() (*Forwarder, error) {
	var f Forwarder
	if err := process(&f); err != nil {
		return nil, err
	}
	if f.StateFile == "" {
		return nil, &Error{Var: "STATE_FILE", Msg: "is empty; expected a file path such as /var/lib/birdseye/state.json"}
	}
	return &f, nil
}

// LoadLog reads only the logging settings, for commands that need no API.
func LoadLog() (*Log, error) {
	var l Log
	if err := process(&l); err != nil {
		return nil, err
	}
	return &l, l.validate()
}

// validate checks the whole configuration and reports every problem, not
// the first: a user fixing a new .env sees all mistakes in one run.
func (c *Config) validate() error {
	var errs []error
	errs = append(errs, c.NetBird.validate())
	if c.Forwarder.StateFile == "" {
		errs = append(errs, &Error{Var: "STATE_FILE", Msg: "is empty; expected a file path such as /var/lib/birdseye/state.json"})
	}
	errs = append(errs, c.Mattermost.validate())
	errs = append(errs, c.Webhook.validate())
	errs = append(errs, c.Syslog.validate())
	errs = append(errs, c.File.validate())
	errs = append(errs, c.Chat.validate())
	errs = append(errs, c.Ntfy.validate())
	errs = append(errs, c.Splunk.validate())
	errs = append(errs, c.Elastic.validate())
	errs = append(errs, c.Loki.validate())
	errs = append(errs, c.Telegram.validate())
	errs = append(errs, c.OTLP.validate())
	errs = append(errs, c.SMTP.validate())
	errs = append(errs, c.Email.validate(&c.SMTP))
	errs = append(errs, c.Schedule.validate())
	errs = append(errs, c.Metrics.validate())
	errs = append(errs, c.Monitor.validate())
	errs = append(errs, c.Events.validate(c.Backup.Paths))
	if _, err := c.Watch.CertLeads(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.Watch.DigestSchedule(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Watch.checkUpdateURLs(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Watch.checkCertHosts(); err != nil {
		errs = append(errs, err)
	}
	if bool(c.Watch.Fleet) && (c.Metrics.Addr == "" || !bool(c.Watch.On)) {
		errs = append(errs, &Error{Var: "FLEET_METRICS", Msg: "=on needs METRICS_ADDR (where /metrics is served, e.g. :9469) and WATCH=on (its reads are the watch's)"})
	}
	if c.Offsite.Host != "" || c.Schedule.Offsite != "" {
		errs = append(errs, c.Offsite.Validate())
	}
	if c.Clone.Host != "" || c.Schedule.Clone != "" {
		errs = append(errs, c.Clone.Validate())
	}
	errs = append(errs, addressErrors("BACKUP_EMAIL_TO", c.Backup.EmailTo)...)
	errs = append(errs, addressErrors("EXPORT_EMAIL_TO", c.Backup.ExportTo)...)
	if c.Backup.Encryption != "zip" && c.Backup.Encryption != "age" {
		errs = append(errs, &Error{Var: "BACKUP_ENCRYPTION", Msg: fmt.Sprintf("=%q is not a format; expected zip or age", c.Backup.Encryption)})
	} else if c.Backup.AgeRecipients != "" {
		_, err := c.Backup.Recipients()
		errs = append(errs, err)
	}
	if len(c.Backup.Targets) > 0 {
		if err := hostKeyPolicyError("BACKUP_SSH_STRICT", c.Backup.SSHStrictOr()); err != nil {
			errs = append(errs, err)
		} else {
			_, err := c.Backup.TargetSpecs()
			errs = append(errs, err)
		}
	}
	errs = append(errs, c.Backup.checkPostgres())
	if c.Schedule.Backup != "" && c.Backup.Password != "" && !(c.Backup.Age() && c.Backup.AgeRecipients != "") {
		errs = append(errs, c.Backup.CheckPassword())
	}
	errs = append(errs, addressErrors("MAINTENANCE_EMAIL_TO", c.Maintenance.EmailTo)...)
	if c.Schedule.PrunePeers != "" && c.Prune.OfflineDays == 0 {
		errs = append(errs, &Error{Var: "PRUNE_OFFLINE_DAYS", Msg: "=0 would prune every offline peer; expected at least 1 day"})
	}
	if c.Forwarder.Backfill > 10000 {
		errs = append(errs, &Error{Var: "BACKFILL", Msg: fmt.Sprintf("=%d is more than the API ever returns; expected 0 to 10000", c.Forwarder.Backfill)})
	}
	errs = append(errs, c.Log.validate())
	return Join(errs...)
}

func (m Mattermost) validate() error {
	if !m.Enabled() {
		return nil
	}
	// The webhook URL is a secret: the message never repeats it.
	u, err := url.Parse(m.WebhookURL.Reveal())
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &Error{Var: "MATTERMOST_WEBHOOK_URL", Msg: "is not an http(s) URL; expected the incoming webhook's URL, e.g. https://mattermost.example.com/hooks/<id>"}
	}
	if m.IconURL != "" {
		if u, err := url.Parse(m.IconURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &Error{Var: "MATTERMOST_ICON_URL", Msg: fmt.Sprintf("=%q is not an http(s) URL; expected e.g. https://example.com/birdseye.png", m.IconURL)}
		}
	}
	return nil
}

func (l Log) validate() error {
	if err := (choice{strings.ToLower(l.Level), []string{"debug", "info", "warn", "error"}}).check(); err != nil {
		return &Error{Var: "LOG_LEVEL", Msg: fmt.Sprintf("=%q %v", l.Level, err)}
	}
	if err := (choice{strings.ToLower(l.Format), []string{"text", "json"}}).check(); err != nil {
		return &Error{Var: "LOG_FORMAT", Msg: fmt.Sprintf("=%q %v", l.Format, err)}
	}
	return nil
}
