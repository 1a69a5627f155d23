package config

import (
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// Email is the e-mail sink: off, one mail per event, or a digest.
type Email struct {
	Mode          string        `envconfig:"EMAIL_MODE" default:"off" desc:"off, immediate (one mail per event) or digest"`
	DigestMinutes MinutesOrZero `envconfig:"EMAIL_DIGEST_MINUTES" default:"15" desc:"minutes a digest collects events, from its first one (0 = one digest per poll)"`
	Include       Globs         `envconfig:"EMAIL_INCLUDE" default:"policy.*,user.*,setupkey.*,personal.access.token.*,account.*" desc:"activity-code globs mailed"`
	Exclude       Globs         `envconfig:"EMAIL_EXCLUDE" default:"" desc:"activity-code globs not mailed"`
	StartupTest   Bool          `envconfig:"EMAIL_STARTUP_TEST" default:"false" desc:"mail a test message at start"`
	Alerts        Bool          `envconfig:"ALERT_EMAIL" default:"true" desc:"also mail outage, recovery and lost-events alerts when e-mail is on"`
}

// SMTP is the mail server every mail goes through.
type SMTP struct {
	Host       string `envconfig:"SMTP_HOST" desc:"mail server host name"`
	PortRaw    string `envconfig:"SMTP_PORT" desc:"mail server port (empty = 587 for starttls, 465 for tls, 25 for none)"`
	User       string `envconfig:"SMTP_USER" desc:"login name; empty = no authentication"`
	Password   Secret `envconfig:"SMTP_PASSWORD" desc:"login password"`
	From       string `envconfig:"SMTP_FROM" desc:"sender address"`
	ToRaw      string `envconfig:"SMTP_TO" desc:"recipients, comma-separated"`
	TLSModeRaw string `envconfig:"SMTP_TLS_MODE" desc:"starttls, tls (implicit, port 465) or none; empty = from SMTP_STARTTLS"`
	StartTLS   string `envconfig:"SMTP_STARTTLS" desc:"deprecated: true = starttls, false = none (used only when SMTP_TLS_MODE is empty)"`
	SkipVerify Bool   `envconfig:"SMTP_TLS_SKIP_VERIFY" default:"false" desc:"accept any TLS certificate (internal relays only; birdseye warns)"`

	// Resolved by validate; envconfig must not read them (PORT is a common
	// variable of its own).
	TLSMode string   `ignored:"true"`
	Port    int      `ignored:"true"`
	To      []string `ignored:"true"`
}

// Enabled reports whether mails are sent for events.
func (e Email) Enabled() bool { return e.ModeName() != "off" }

// ModeName is EMAIL_MODE in lower case.
func (e Email) ModeName() string { return strings.ToLower(strings.TrimSpace(e.Mode)) }

// Digest returns the digest interval.
func (e Email) Digest() time.Duration { return time.Duration(e.DigestMinutes) }

func (e Email) validate(s *SMTP) error {
	if err := (choice{e.ModeName(), []string{"off", "immediate", "digest"}}).check(); err != nil {
		return &Error{Var: "EMAIL_MODE", Msg: fmt.Sprintf("=%q %v", e.Mode, err)}
	}
	if !e.Enabled() {
		return nil
	}
	var missing []string
	for _, v := range []struct{ name, val string }{{"SMTP_HOST", s.Host}, {"SMTP_FROM", s.From}, {"SMTP_TO", s.ToRaw}} {
		if strings.TrimSpace(v.val) == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		return &Error{Var: "EMAIL_MODE", Msg: fmt.Sprintf("=%s needs %s; expected them set (or EMAIL_MODE=off)", e.ModeName(), strings.Join(missing, " and "))}
	}
	return nil
}

// validate checks and derives the SMTP settings: TLS mode (with the legacy
// SMTP_STARTTLS), port, addresses.
func (s *SMTP) validate() error {
	s.TLSMode = strings.ToLower(strings.TrimSpace(s.TLSModeRaw))
	if s.TLSMode == "" {
		switch strings.ToLower(strings.TrimSpace(s.StartTLS)) {
		case "", "1", "true", "yes", "on":
			s.TLSMode = "starttls"
		case "0", "false", "no", "off":
			s.TLSMode = "none"
		default:
			return &Error{Var: "SMTP_STARTTLS", Msg: fmt.Sprintf("=%q is not a boolean; expected true or false (or set SMTP_TLS_MODE instead)", s.StartTLS)}
		}
	}
	if err := (choice{s.TLSMode, []string{"starttls", "tls", "none"}}).check(); err != nil {
		return &Error{Var: "SMTP_TLS_MODE", Msg: fmt.Sprintf("=%q %v", s.TLSModeRaw, err)}
	}
	s.Port = map[string]int{"starttls": 587, "tls": 465, "none": 25}[s.TLSMode]
	if p := strings.TrimSpace(s.PortRaw); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return &Error{Var: "SMTP_PORT", Msg: fmt.Sprintf("=%q is not a port; expected a number from 1 to 65535, e.g. 587", s.PortRaw)}
		}
		s.Port = n
	}
	if s.From != "" {
		if _, err := mail.ParseAddress(s.From); err != nil {
			return &Error{Var: "SMTP_FROM", Msg: fmt.Sprintf("=%q is not an e-mail address; expected e.g. birdseye@example.com or \"birdseye <birdseye@example.com>\"", s.From)}
		}
	}
	s.To = nil
	for _, a := range strings.Split(s.ToRaw, ",") {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		if _, err := mail.ParseAddress(a); err != nil {
			return &Error{Var: "SMTP_TO", Msg: fmt.Sprintf("has %q, which is not an e-mail address; expected comma-separated addresses such as ops@example.com,admin@example.com", a)}
		}
		s.To = append(s.To, a)
	}
	if s.Host != "" && strings.ContainsAny(s.Host, "/: ") {
		return &Error{Var: "SMTP_HOST", Msg: fmt.Sprintf("=%q is not a host name; expected e.g. smtp.example.com (the port goes in SMTP_PORT)", s.Host)}
	}
	return nil
}

// MinutesOrZero is a duration in minutes that may be 0.
type MinutesOrZero time.Duration

func (m *MinutesOrZero) Decode(v string) error {
	v = strings.TrimSpace(v)
	if v == "0" || v == "0.0" {
		*m = 0
		return nil
	}
	var mm Minutes
	if err := mm.Decode(v); err != nil {
		return fmt.Errorf("%v (0 is allowed too)", err)
	}
	if v != "" {
		*m = MinutesOrZero(mm)
	}
	return nil
}
