// Package config is birdseye's environment contract: one struct per component,
// loaded with envconfig, validated at start, with secrets that may come from
// files (NB_API_KEY_FILE, the Docker secrets convention) and never print.
//
// Variable names, defaults and meanings are those of the Python tool birdseye
// replaces, so an existing .env keeps working.
package config

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"reflect"
	"strings"

	"github.com/kelseyhightower/envconfig"

	"github.com/styliteag/birdseye/internal/nburl"
)

// Error is a configuration problem. Its message names the variable, what is
// wrong and the expected form, on one line; the command exits with code 2.
type Error struct {
	Var string
	Msg string
}

func (e *Error) Error() string {
	if strings.HasPrefix(e.Msg, "=") {
		return "config: " + e.Var + e.Msg
	}
	return "config: " + e.Var + " " + e.Msg
}

// NetBird is how birdseye reaches the management API.
type NetBird struct {
	URL           string `envconfig:"NB_URL" desc:"NetBird management URL (https assumed when the scheme is missing)"`
	APIKey        Secret `envconfig:"NB_API_KEY" desc:"personal access token of a service user (the Auditor role is enough for the forwarder)"`
	AdminKey      Secret `envconfig:"NB_ADMIN_API_KEY" desc:"admin token for the ephemeral cleanup and the commands that change things (empty = those are off)"`
	CAFile        string `envconfig:"NB_CA_FILE" desc:"PEM file of a private CA that signed the management server's certificate"`
	AllowInsecure Bool   `envconfig:"NB_ALLOW_INSECURE" default:"false" desc:"allow plain http:// to a public host (the token then travels unencrypted)"`
}

// checkTransport refuses to send a token over plain HTTP to a public host,
// and checks NB_CA_FILE.
func (n NetBird) checkTransport() error {
	u, err := nburl.Normalise(n.URL)
	if err != nil {
		return &Error{Var: "NB_URL", Msg: fmt.Sprintf("=%q %v; expected e.g. https://netbird.example.com or http://management:80", n.URL, err)}
	}
	if u.Scheme == "http" && !bool(n.AllowInsecure) && !privateHost(u.Hostname()) {
		return &Error{Var: "NB_URL", Msg: fmt.Sprintf("=%q uses plain http to a public host, so the token would travel unencrypted; expected https://, a private address or Docker service name, or NB_ALLOW_INSECURE=true", n.URL)}
	}
	if n.CAFile != "" {
		b, err := os.ReadFile(n.CAFile)
		if err != nil {
			return &Error{Var: "NB_CA_FILE", Msg: fmt.Sprintf("=%q cannot be read (%v); expected a PEM file with the CA certificate", n.CAFile, errors.Unwrap(err))}
		}
		if !x509.NewCertPool().AppendCertsFromPEM(b) {
			return &Error{Var: "NB_CA_FILE", Msg: fmt.Sprintf("=%q holds no PEM certificate; expected -----BEGIN CERTIFICATE-----", n.CAFile)}
		}
	}
	return nil
}

// privateHost: loopback, private and link-local addresses, and names that
// only resolve inside a private network (Docker service names have no dot).
func privateHost(h string) bool {
	if ip := net.ParseIP(h); ip != nil {
		return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast()
	}
	h = strings.ToLower(strings.TrimSuffix(h, "."))
	if h == "localhost" || !strings.Contains(h, ".") {
		return true
	}
	for _, suffix := range []string{".local", ".internal", ".lan", ".home.arpa", ".localhost"} {
		if strings.HasSuffix(h, suffix) {
			return true
		}
	}
	return false
}

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
	Streams     Streams
	Watch       Watch
	Stdout      Stdout
	Mattermost  Mattermost
	Webhook     Webhook
	Syslog      Syslog
	File        File
	Chat        Chat
	Ntfy        Ntfy
	Email       Email
	SMTP        SMTP
	Schedule    Schedule
	Prune       Prune
	Maintenance Maintenance
	Backup      Backup
	Metrics     Metrics
	Log         Log
}

// Load reads and validates the whole configuration from the environment.
func Load() (*Config, error) {
	var c Config
	for _, part := range []any{&c.NetBird, &c.Forwarder, &c.Streams, &c.Watch, &c.Stdout, &c.Mattermost, &c.Webhook, &c.Syslog, &c.File, &c.Chat, &c.Ntfy, &c.Email, &c.SMTP, &c.Schedule, &c.Prune, &c.Maintenance, &c.Backup, &c.Metrics, &c.Log} {
		if err := process(part); err != nil {
			return nil, err
		}
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Tool is what the one-shot commands need: where NetBird is, the tokens
// (checked by each command for what it does), and the log settings.
type Tool struct {
	NetBird NetBird
	Prune   Prune
	Backup  Backup
	SMTP    SMTP
	Log     Log
}

// LoadTool reads and checks the settings of the one-shot commands.
func LoadTool() (*Tool, error) {
	var t Tool
	for _, part := range []any{&t.NetBird, &t.Prune, &t.Backup, &t.SMTP, &t.Log} {
		if err := process(part); err != nil {
			return nil, err
		}
	}
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

// TokenAdminFirst returns NB_ADMIN_API_KEY, else NB_API_KEY (setup keys, as
// the old tool did: a read-only token gets a clear 403 on writes).
func (n NetBird) TokenAdminFirst() (string, error) {
	if n.AdminKey != "" {
		return n.AdminKey.Reveal(), nil
	}
	return n.Token(false, "")
}

// Token returns the token for a command: the admin token when it changes
// things (or reads what only admins may), else the service user's token.
func (n NetBird) Token(admin bool, command string) (string, error) {
	if admin {
		if n.AdminKey == "" {
			return "", &Error{Var: "NB_ADMIN_API_KEY", Msg: "is not set; " + command + " needs an admin token (a service user with the Admin role)"}
		}
		return n.AdminKey.Reveal(), nil
	}
	if n.APIKey != "" {
		return n.APIKey.Reveal(), nil
	}
	if n.AdminKey != "" {
		return n.AdminKey.Reveal(), nil
	}
	return "", &Error{Var: "NB_API_KEY", Msg: "is not set (nor NB_ADMIN_API_KEY); expected a personal access token (nbp_...)"}
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

func (c *Config) validate() error {
	if err := c.NetBird.validate(); err != nil {
		return err
	}
	if c.Forwarder.StateFile == "" {
		return &Error{Var: "STATE_FILE", Msg: "is empty; expected a file path such as /var/lib/birdseye/state.json"}
	}
	if err := c.Mattermost.validate(); err != nil {
		return err
	}
	if err := c.Webhook.validate(); err != nil {
		return err
	}
	if err := c.Syslog.validate(); err != nil {
		return err
	}
	if err := c.File.validate(); err != nil {
		return err
	}
	if err := c.Chat.validate(); err != nil {
		return err
	}
	if err := c.Ntfy.validate(); err != nil {
		return err
	}
	if err := c.SMTP.validate(); err != nil {
		return err
	}
	if err := c.Email.validate(&c.SMTP); err != nil {
		return err
	}
	if err := c.Schedule.validate(); err != nil {
		return err
	}
	if err := c.Metrics.validate(); err != nil {
		return err
	}
	for _, l := range []struct{ name, val string }{{"BACKUP_EMAIL_TO", c.Backup.EmailTo}, {"EXPORT_EMAIL_TO", c.Backup.ExportTo}} {
		for _, a := range List(l.val) {
			if _, err := mail.ParseAddress(a); err != nil {
				return &Error{Var: l.name, Msg: fmt.Sprintf("has %q, which is not an e-mail address; expected comma-separated addresses", a)}
			}
		}
	}
	if c.Schedule.Backup != "" && c.Backup.Password != "" {
		if err := c.Backup.CheckPassword(); err != nil {
			return err
		}
	}
	for _, a := range strings.Split(c.Maintenance.EmailTo, ",") {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		if _, err := mail.ParseAddress(a); err != nil {
			return &Error{Var: "MAINTENANCE_EMAIL_TO", Msg: fmt.Sprintf("has %q, which is not an e-mail address; expected comma-separated addresses", a)}
		}
	}
	if c.Schedule.PrunePeers != "" && c.Prune.OfflineDays == 0 {
		return &Error{Var: "PRUNE_OFFLINE_DAYS", Msg: "=0 would prune every offline peer; expected at least 1 day"}
	}
	if c.Forwarder.Backfill > 10000 {
		return &Error{Var: "BACKFILL", Msg: fmt.Sprintf("=%d is more than the API ever returns; expected 0 to 10000", c.Forwarder.Backfill)}
	}
	return c.Log.validate()
}

func (n NetBird) validate() error {
	if strings.TrimSpace(n.URL) == "" {
		return &Error{Var: "NB_URL", Msg: "is not set; expected the management URL, e.g. https://netbird.example.com"}
	}
	if err := n.checkTransport(); err != nil {
		return err
	}
	if n.APIKey == "" {
		return &Error{Var: "NB_API_KEY", Msg: "is not set (nor NB_API_KEY_FILE); expected a personal access token (nbp_...)"}
	}
	return nil
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

// process loads one component: defaults first (so that an empty number keeps
// its default), then the environment through envconfig, then the _FILE
// variants of secrets.
func process(spec any) error {
	v := reflect.ValueOf(spec).Elem()
	t := v.Type()
	for i := range t.NumField() {
		def, ok := t.Field(i).Tag.Lookup("default")
		if !ok {
			continue
		}
		f := v.Field(i)
		if d, ok := f.Addr().Interface().(envconfig.Decoder); ok {
			if err := d.Decode(def); err != nil {
				panic(fmt.Sprintf("bad default for %s: %v", t.Field(i).Name, err))
			}
		} else if f.Kind() == reflect.String {
			f.SetString(def)
		}
	}
	if err := envconfig.Process("", spec); err != nil {
		var pe *envconfig.ParseError
		if errors.As(err, &pe) {
			return &Error{Var: pe.KeyName, Msg: fmt.Sprintf("=%q %v", pe.Value, pe.Err)}
		}
		return &Error{Var: "environment", Msg: err.Error()}
	}
	for i := range t.NumField() {
		f := v.Field(i)
		if f.Type() != reflect.TypeFor[Secret]() {
			continue
		}
		key := t.Field(i).Tag.Get("envconfig")
		s, err := secretFromFile(key, Secret(f.String()))
		if err != nil {
			return err
		}
		f.SetString(string(s))
	}
	return nil
}

func secretFromFile(key string, current Secret) (Secret, error) {
	path, ok := os.LookupEnv(key + "_FILE")
	if !ok || path == "" {
		return current, nil
	}
	if current != "" {
		return "", &Error{Var: key, Msg: fmt.Sprintf("and %s_FILE are both set; expected only one of them", key)}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", &Error{Var: key + "_FILE", Msg: fmt.Sprintf("=%q cannot be read (%v); expected a readable file holding the secret", path, errors.Unwrap(err))}
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", &Error{Var: key + "_FILE", Msg: fmt.Sprintf("=%q is empty; expected a file holding the secret", path)}
	}
	return Secret(s), nil
}

// Vars lists every variable Config reads, with its default and description,
// in declaration order: the source for the README table and .env.example check.
func Vars() []Var {
	var out []Var
	for _, part := range []any{NetBird{}, Forwarder{}, Streams{}, Watch{}, Stdout{}, Mattermost{}, Webhook{}, Syslog{}, File{}, Chat{}, Ntfy{}, Email{}, SMTP{}, Schedule{}, Prune{}, Maintenance{}, Backup{}, Metrics{}, Log{}} {
		t := reflect.TypeOf(part)
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Tag.Get("envconfig") == "" {
				continue // derived, not read
			}
			out = append(out, Var{Name: f.Tag.Get("envconfig"), Default: f.Tag.Get("default"), Desc: f.Tag.Get("desc"), Secret: f.Type == reflect.TypeFor[Secret]()})
		}
	}
	return out
}

// Var describes one environment variable.
type Var struct {
	Name, Default, Desc string
	Secret              bool
}
