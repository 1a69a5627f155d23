// Package destinations is the one table of where events can go: for each
// sink, whether the configuration turns it on, how it is built, which
// events it takes and how its outbox drains. The daemon (behind outboxes),
// `sinks test` and doctor (directly) all read it: adding a sink is its
// package, its configuration and one row.
package destinations

import (
	"crypto/tls"
	"net"
	"net/url"
	"time"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/outbox"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/chat"
	"github.com/styliteag/birdseye/internal/sink/elastic"
	"github.com/styliteag/birdseye/internal/sink/email"
	"github.com/styliteag/birdseye/internal/sink/file"
	"github.com/styliteag/birdseye/internal/sink/loki"
	"github.com/styliteag/birdseye/internal/sink/mattermost"
	"github.com/styliteag/birdseye/internal/sink/ntfy"
	"github.com/styliteag/birdseye/internal/sink/otlp"
	"github.com/styliteag/birdseye/internal/sink/splunk"
	"github.com/styliteag/birdseye/internal/sink/syslog"
	"github.com/styliteag/birdseye/internal/sink/webhook"
)

// Spec is one destination: whether the configuration turns it on, how it
// is built, which events it takes, and how its outbox drains.
type Spec struct {
	Name string
	// People: a sink people read; MAX_CATCHUP spares them a flood. The
	// machine sinks (webhook, syslog, file) get every event.
	People bool
	On     func(*config.Config) bool
	Build  func(*config.Config) (sink.Sink, error)
	// Filter is its audit globs, named by the variables' prefix.
	Filter func(*config.Config) (prefix string, inc, exc config.Globs)
	// Streams, when set, are its globs over traffic and proxy-log rows
	// (tInc, tExc, pInc, pExc); a sink without them gets no rows.
	Streams func(config.Streams) [4]config.Globs
	// Tune adjusts its drainer (the e-mail digest).
	Tune func(*config.Config, *outbox.Drainer)
}

// All is the table, in the order the sinks are built.
var All = []Spec{
	{Name: "mattermost", People: true, On: func(c *config.Config) bool { return c.Mattermost.Enabled() },
		Build: func(c *config.Config) (sink.Sink, error) { return Mattermost(c), nil },
		Filter: func(c *config.Config) (string, config.Globs, config.Globs) {
			return "MATTERMOST", c.Mattermost.Include, c.Mattermost.Exclude
		},
		Streams: func(s config.Streams) [4]config.Globs {
			return [4]config.Globs{s.MattermostTrafficInclude, s.MattermostTrafficExclude, s.MattermostProxyInclude, s.MattermostProxyExclude}
		}},
	chatSpec(chat.Slack, "SLACK", func(c config.Chat) (config.Secret, config.Globs, config.Globs) {
		return c.SlackURL, c.SlackInclude, c.SlackExclude
	}),
	chatSpec(chat.Discord, "DISCORD", func(c config.Chat) (config.Secret, config.Globs, config.Globs) {
		return c.DiscordURL, c.DiscordInclude, c.DiscordExclude
	}),
	chatSpec(chat.Teams, "TEAMS", func(c config.Chat) (config.Secret, config.Globs, config.Globs) {
		return c.TeamsURL, c.TeamsInclude, c.TeamsExclude
	}),
	chatSpec(chat.GoogleChat, "GOOGLE_CHAT", func(c config.Chat) (config.Secret, config.Globs, config.Globs) {
		return c.GoogleURL, c.GoogleInclude, c.GoogleExclude
	}),
	{Name: "telegram", People: true, On: func(c *config.Config) bool { return c.Telegram.Enabled() },
		Build: func(c *config.Config) (sink.Sink, error) {
			return chat.New(chat.Telegram(c.Telegram.ChatID), c.Telegram.URL(), int(c.Forwarder.BurstLimit), c.Log.TZ.Loc), nil
		},
		Filter: func(c *config.Config) (string, config.Globs, config.Globs) {
			return "TELEGRAM", c.Telegram.Include, c.Telegram.Exclude
		}},
	{Name: "ntfy", People: true, On: func(c *config.Config) bool { return c.Ntfy.URL != "" },
		Build: func(c *config.Config) (sink.Sink, error) {
			return ntfy.New(c.Ntfy.URL.Reveal(), c.Ntfy.Token.Reveal(), int(c.Forwarder.BurstLimit), c.Log.TZ.Loc), nil
		},
		Filter: func(c *config.Config) (string, config.Globs, config.Globs) {
			return "NTFY", c.Ntfy.Include, c.Ntfy.Exclude
		}},
	{Name: "webhook", On: func(c *config.Config) bool { return c.Webhook.Enabled() },
		Build: func(c *config.Config) (sink.Sink, error) {
			w := c.Webhook
			headers, _ := w.HeaderMap() // validated at load
			wc := webhook.Config{URL: w.URL.Reveal(), Headers: headers, NDJSON: w.Format == "ndjson",
				CloudEvents: w.Format == "cloudevents", Source: c.NetBird.URL}
			if w.Style == "standard" {
				keys, err := w.StandardKeys()
				if err != nil {
					return nil, err
				}
				wc.Standard = keys
			} else {
				wc.Secret = w.Secret.Reveal()
			}
			return webhook.New(wc), nil
		},
		Filter: func(c *config.Config) (string, config.Globs, config.Globs) {
			return "WEBHOOK", c.Webhook.Include, c.Webhook.Exclude
		},
		Streams: func(s config.Streams) [4]config.Globs {
			return [4]config.Globs{s.WebhookTrafficInclude, s.WebhookTrafficExclude, s.WebhookProxyInclude, s.WebhookProxyExclude}
		}},
	{Name: "syslog", On: func(c *config.Config) bool { return c.Syslog.Enabled() },
		Build: func(c *config.Config) (sink.Sink, error) {
			sl := c.Syslog
			network, addr, err := sl.Target()
			if err != nil {
				return nil, err
			}
			roots, err := sl.TLSRoots()
			if err != nil {
				return nil, err
			}
			host, _, _ := net.SplitHostPort(addr)
			return syslog.New(syslog.Config{Network: network, Addr: addr, RFC3164: sl.Format == "rfc3164", AppName: sl.AppName,
				TLS: &tls.Config{RootCAs: roots, ServerName: host, MinVersion: tls.VersionTLS12}}), nil
		},
		Filter: func(c *config.Config) (string, config.Globs, config.Globs) {
			return "SYSLOG", c.Syslog.Include, c.Syslog.Exclude
		},
		Streams: func(s config.Streams) [4]config.Globs {
			return [4]config.Globs{s.SyslogTrafficInclude, s.SyslogTrafficExclude, s.SyslogProxyInclude, s.SyslogProxyExclude}
		}},
	{Name: "file", On: func(c *config.Config) bool { return c.File.Enabled() },
		Build: func(c *config.Config) (sink.Sink, error) {
			fs := c.File
			return file.New(file.Config{Path: fs.Path, MaxBytes: int64(fs.MaxMB) << 20, Keep: int(fs.Keep)}), nil
		},
		Filter: func(c *config.Config) (string, config.Globs, config.Globs) {
			return "FILE_SINK", c.File.Include, c.File.Exclude
		},
		Streams: func(s config.Streams) [4]config.Globs {
			return [4]config.Globs{s.FileTrafficInclude, s.FileTrafficExclude, s.FileProxyInclude, s.FileProxyExclude}
		}},
	{Name: "splunk", On: func(c *config.Config) bool { return c.Splunk.Enabled() },
		Build: func(c *config.Config) (sink.Sink, error) {
			sp := c.Splunk
			host := ""
			if u, err := url.Parse(c.NetBird.URL); err == nil {
				host = u.Hostname()
			}
			return splunk.New(splunk.Config{URL: sp.URL.Reveal(), Token: sp.Token.Reveal(), Index: sp.Index, Source: sp.Source,
				SourceType: sp.SourceType, Host: host, Ack: bool(sp.Ack)}), nil
		},
		Filter: func(c *config.Config) (string, config.Globs, config.Globs) {
			return "SPLUNK", c.Splunk.Include, c.Splunk.Exclude
		},
		Streams: func(s config.Streams) [4]config.Globs {
			return [4]config.Globs{s.SplunkTrafficInclude, s.SplunkTrafficExclude, s.SplunkProxyInclude, s.SplunkProxyExclude}
		}},
	{Name: "elastic", On: func(c *config.Config) bool { return c.Elastic.Enabled() },
		Build: func(c *config.Config) (sink.Sink, error) {
			el := c.Elastic
			return elastic.New(elastic.Config{URL: el.URL.Reveal(), APIKey: el.APIKey.Reveal(), User: el.User, Password: el.Password.Reveal(),
				Index: el.Index, DataStream: bool(el.DataStream)}), nil
		},
		Filter: func(c *config.Config) (string, config.Globs, config.Globs) {
			return "ELASTIC", c.Elastic.Include, c.Elastic.Exclude
		},
		Streams: func(s config.Streams) [4]config.Globs {
			return [4]config.Globs{s.ElasticTrafficInclude, s.ElasticTrafficExclude, s.ElasticProxyInclude, s.ElasticProxyExclude}
		}},
	{Name: "loki", On: func(c *config.Config) bool { return c.Loki.Enabled() },
		Build: func(c *config.Config) (sink.Sink, error) {
			l := c.Loki
			return loki.New(loki.Config{URL: l.URL.Reveal(), Tenant: l.Tenant, User: l.User, Password: l.Password.Reveal()}), nil
		},
		Filter: func(c *config.Config) (string, config.Globs, config.Globs) {
			return "LOKI", c.Loki.Include, c.Loki.Exclude
		},
		Streams: func(s config.Streams) [4]config.Globs {
			return [4]config.Globs{s.LokiTrafficInclude, s.LokiTrafficExclude, s.LokiProxyInclude, s.LokiProxyExclude}
		}},
	{Name: "otlp", On: func(c *config.Config) bool { return c.OTLP.Enabled() },
		Build: func(c *config.Config) (sink.Sink, error) {
			o := c.OTLP
			return otlp.New(otlp.Config{Endpoint: o.Endpoint.Reveal(), Protocol: o.Protocol, Gzip: o.Compress == "gzip", Headers: o.HeaderMap(), Resource: o.ResourceMap(),
				NetBirdURL: c.NetBird.URL}), nil
		},
		Filter: func(c *config.Config) (string, config.Globs, config.Globs) {
			return "OTLP", c.OTLP.Include, c.OTLP.Exclude
		},
		Streams: func(s config.Streams) [4]config.Globs {
			return [4]config.Globs{s.OTLPTrafficInclude, s.OTLPTrafficExclude, s.OTLPProxyInclude, s.OTLPProxyExclude}
		}},
	{Name: "email", People: true, On: func(c *config.Config) bool { return c.Email.Enabled() },
		Build: func(c *config.Config) (sink.Sink, error) { return email.New(MailConfig(c), c.Log.TZ.Loc), nil },
		Filter: func(c *config.Config) (string, config.Globs, config.Globs) {
			return "EMAIL", c.Email.Include, c.Email.Exclude
		},
		Streams: func(s config.Streams) [4]config.Globs {
			return [4]config.Globs{s.EmailTrafficInclude, s.EmailTrafficExclude, s.EmailProxyInclude, s.EmailProxyExclude}
		},
		Tune: func(c *config.Config, d *outbox.Drainer) {
			if e := c.Email; e.ModeName() == "digest" && e.Digest() > 0 {
				interval := e.Digest()
				// A digest collects for EMAIL_DIGEST_MINUTES from its first
				// event, across restarts, and goes out on SIGTERM when due.
				d.Hold = func(_ sink.Batch, oldest time.Time) time.Duration { return time.Until(oldest.Add(interval)) }
				d.FlushWithin = 5 * time.Second
			}
		}},
}

// chatSpec is the row of a chat service: they differ only in flavor and
// variables.
func chatSpec(f chat.Flavor, prefix string, vars func(config.Chat) (config.Secret, config.Globs, config.Globs)) Spec {
	return Spec{Name: f.Name, People: true,
		On: func(c *config.Config) bool { url, _, _ := vars(c.Chat); return url != "" },
		Build: func(c *config.Config) (sink.Sink, error) {
			url, _, _ := vars(c.Chat)
			return chat.New(f, url.Reveal(), int(c.Forwarder.BurstLimit), c.Log.TZ.Loc), nil
		},
		Filter: func(c *config.Config) (string, config.Globs, config.Globs) {
			_, i, e := vars(c.Chat)
			return prefix, i, e
		}}
}

// Mattermost is the Mattermost sink of the configuration (also for its
// start-up test and doctor's --send-test).
func Mattermost(c *config.Config) *mattermost.Sink {
	m := c.Mattermost
	return mattermost.New(mattermost.Config{URL: m.WebhookURL.Reveal(), Username: m.Username, Channel: m.Channel, IconURL: m.IconURL,
		BurstLimit: int(c.Forwarder.BurstLimit)}, c.Log.TZ.Loc)
}

// SMTPTransport is how every mail birdseye sends reaches the server: the
// events, the backups and failure reports, doctor's checks.
func SMTPTransport(m config.SMTP) email.Transport {
	return email.Transport{Host: m.Host, Port: m.Port, TLSMode: m.TLSMode, User: m.User, Password: m.Password.Reveal(), SkipVerify: bool(m.SkipVerify)}
}

// MailConfig is the mail settings of the event sink, also the base of the
// jobs' reports and failure mails.
func MailConfig(c *config.Config) email.Config {
	return email.Config{Transport: SMTPTransport(c.SMTP), From: c.SMTP.From, To: c.SMTP.To,
		Digest: c.Email.ModeName() == "digest", BurstLimit: int(c.Forwarder.BurstLimit)}
}
