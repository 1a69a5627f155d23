// Package email is the sink that mails events through an SMTP server with
// go-mail: one mail per event (EMAIL_MODE=immediate) or a digest, birdseye's
// alerts as mails of their own, and the start-up probe. Subjects and bodies
// are the old tool's, with Date and Message-ID added.
package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/render"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/version"
)

// Transport is how to reach the mail server.
type Transport struct {
	Host       string
	Port       int
	TLSMode    string // starttls, tls or none
	User       string
	Password   string // secret
	SkipVerify bool
	RootCAs    *x509.CertPool // nil = the system's (tests set their own CA)
	Timeout    time.Duration
}

// Config is a sink's transport, addresses and mode.
type Config struct {
	Transport
	From   string
	To     []string
	Digest bool // one mail per batch instead of one per event
	// BurstLimit: more audit events than this of one code by one initiator
	// in a batch are summarised in one line (and one mail); 0 = never.
	BurstLimit int
}

// Sink mails batches.
type Sink struct {
	cfg Config
	loc *time.Location
}

// New returns a sink; loc is the time zone of displayed event times.
func New(cfg Config, loc *time.Location) *Sink {
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Sink{cfg: cfg, loc: loc}
}

func (s *Sink) Name() string { return "email" }

// Deliver mails the batch: each alert on its own, then the events, either
// one mail each (the notices go with the first) or as one digest. When a
// mail of an immediate batch fails, the error says how many events went out
// before it, so that only the rest is sent again.
func (s *Sink) Deliver(ctx context.Context, b sink.Batch) error {
	if b.Empty() {
		return nil
	}
	for _, a := range b.Alerts {
		if err := s.Send(ctx, "[NetBird] birdseye alert: "+a, a+"\n"+footer()); err != nil {
			return err
		}
	}
	notices := Notices(b)
	if len(b.Events) == 0 {
		if notices == "" {
			return nil
		}
		return s.Send(ctx, "[NetBird] birdseye notice", notices+footer())
	}
	if s.cfg.Digest {
		return s.Send(ctx, DigestSubject(len(b.Events), time.Now()), notices+s.lines(b.Events)+footer())
	}
	mails := s.mails(b.Events)
	mailOf := make([]int, len(b.Events))
	for m, idx := range mails {
		for _, i := range idx {
			mailOf[i] = m
		}
	}
	for m, idx := range mails {
		evs := make([]event.Event, len(idx))
		for j, i := range idx {
			evs[j] = b.Events[i]
		}
		subject := ImmediateSubject(evs[0])
		switch {
		case evs[0].Row():
			subject = StreamSubject(evs)
		case len(evs) > 1:
			subject = render.Clean(fmt.Sprintf("[NetBird] %d × %s — %s", len(evs), evs[0].ActivityCode, evs[0].Initiator()))
		}
		body := s.lines(evs)
		if m == 0 {
			body = notices + body
		}
		if err := s.Send(ctx, subject, body+footer()); err != nil {
			// Only the events at the head whose mails all went out count.
			if n := sink.Delivered(mailOf, m); n > 0 {
				return &sink.PartialError{Delivered: n, Err: err}
			}
			return err
		}
	}
	return nil
}

// mails splits an immediate batch into mails: an audit event gets a mail
// of its own, a burst of more than BurstLimit alike one mail, and a run of
// traffic or proxy rows (hundreds a poll) one mail for the run.
func (s *Sink) mails(evs []event.Event) [][]int {
	var out [][]int
	rowRun := false
	for _, it := range render.Items(evs, s.cfg.BurstLimit) {
		if evs[it[0]].Row() {
			if rowRun {
				out[len(out)-1] = append(out[len(out)-1], it...)
			} else {
				out = append(out, append([]int(nil), it...))
			}
			rowRun = true
			continue
		}
		out = append(out, append([]int(nil), it...))
		rowRun = false
	}
	return out
}

// StreamSubject is `[NetBird] 14 blocked connections, 3 refused or failed
// requests`, for a mail of traffic or proxy rows.
func StreamSubject(evs []event.Event) string {
	count := map[string]int{}
	var order []string
	for _, e := range evs {
		if count[e.ActivityCode] == 0 {
			order = append(order, e.ActivityCode)
		}
		count[e.ActivityCode]++
	}
	parts := make([]string, len(order))
	for i, c := range order {
		parts[i] = render.StreamCount(c, count[c])
	}
	return "[NetBird] " + strings.Join(parts, ", ")
}

// Notices are the lines that say what a batch leaves out.
func Notices(b sink.Batch) string {
	var n strings.Builder
	if b.Dropped > 0 {
		fmt.Fprintf(&n, "%d events were dropped: the e-mail outbox was full (SINK_QUEUE_MAX).\n", b.Dropped)
	}
	if b.Skipped > 0 {
		fmt.Fprintf(&n, "skipped %d older events on catch-up (MAX_CATCHUP).\n", b.Skipped)
	}
	if n.Len() > 0 {
		n.WriteString("\n")
	}
	return n.String()
}

// ImmediateSubject is `[NetBird] <activity_code> — <initiator>`.
func ImmediateSubject(e event.Event) string {
	return render.Clean("[NetBird] " + e.ActivityCode + " — " + e.Initiator())
}

// DigestSubject is `[NetBird] N events (YYYY-MM-DD HH:MM UTC digest)`.
func DigestSubject(n int, now time.Time) string {
	noun := "events"
	if n == 1 {
		noun = "event"
	}
	return fmt.Sprintf("[NetBird] %d %s (%s UTC digest)", n, noun, now.UTC().Format("2006-01-02 15:04"))
}

// lines are the body lines: one per event, except one per summary of many
// alike (render.Items: stream rows, bursts over BurstLimit).
func (s *Sink) lines(evs []event.Event) string {
	var b strings.Builder
	for _, it := range render.Items(evs, s.cfg.BurstLimit) {
		switch e := evs[it[0]]; {
		case e.Row():
			b.WriteString(render.StreamText(evs, it, s.loc))
		case len(it) > 1:
			b.WriteString(render.BurstText(evs, it, s.loc))
		default:
			// The line says what changed in short; the block below says it in full.
			short := e
			short.Changes, short.ChangesNote = nil, ""
			b.WriteString(render.Line(short, s.loc))
			b.WriteByte('\n')
			b.WriteString(render.DiffBlock(e))
			continue
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func footer() string {
	host, _ := os.Hostname()
	return "\n-- \nbirdseye " + version.Version + " on " + host + "\n"
}

// Send mails one plain-text message to every recipient.
func (s *Sink) Send(ctx context.Context, subject, body string) error {
	return s.SendTo(ctx, s.cfg.To, subject, body, "")
}

// SendTo mails a plain-text message to the given recipients, with the file
// at attach (when not empty) as an attachment.
func (s *Sink) SendTo(ctx context.Context, to []string, subject, body, attach string) error {
	m := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := m.From(s.cfg.From); err != nil {
		return sink.Permanent(fmt.Errorf("mail: SMTP_FROM: %w", err))
	}
	if err := m.To(to...); err != nil {
		return sink.Permanent(fmt.Errorf("mail: recipients: %w", err))
	}
	if attach != "" {
		kind := mail.ContentType("application/zip")
		if !strings.HasSuffix(attach, ".zip") {
			kind = "application/octet-stream" // an age file
		}
		m.AttachFile(attach, mail.WithFileContentType(kind))
	}
	m.Subject(subject)
	m.SetDate()
	m.SetMessageID()
	m.SetUserAgent(version.UserAgent())
	m.SetBodyString(mail.TypeTextPlain, body)
	c, err := s.client()
	if err != nil {
		return sink.Permanent(fmt.Errorf("mail via %s: %w", s.server(), err))
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return classify(fmt.Errorf("mail via %s: %w", s.server(), err))
	}
	return nil
}

func (s *Sink) server() string {
	return fmt.Sprintf("%s %s:%d", s.cfg.TLSMode, s.cfg.Host, s.cfg.Port)
}

func (s *Sink) client() (*mail.Client, error) {
	t := s.cfg.Transport
	opts := []mail.Option{
		mail.WithPort(t.Port),
		mail.WithTimeout(t.Timeout),
		mail.WithTLSConfig(&tls.Config{ServerName: t.Host, InsecureSkipVerify: t.SkipVerify, RootCAs: t.RootCAs, MinVersion: tls.VersionTLS12}),
	}
	switch t.TLSMode {
	case "tls":
		opts = append(opts, mail.WithSSL())
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	switch {
	case t.User == "":
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthNoAuth))
	case t.TLSMode == "none":
		// The old tool logged in over plain connections too (relays on the
		// same host); go-mail needs to be told. birdseye warns at start.
		opts = append(opts, mail.WithOpportunisticSMTPAuth(mail.SMTPAuthCramMD5, mail.SMTPAuthPlainNoEnc, mail.SMTPAuthLoginNoEnc),
			mail.WithUsername(t.User), mail.WithPassword(t.Password))
	default:
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(t.User), mail.WithPassword(t.Password))
	}
	return mail.NewClient(t.Host, opts...)
}

// classify marks failures that retrying soon will not fix: a refused login,
// a certificate that does not verify, a recipient or sender the server
// refuses for good.
func classify(err error) error {
	var se *mail.SendError
	if errors.As(err, &se) {
		if se.IsTemp() {
			return err
		}
		return sink.Permanent(err)
	}
	var cv *tls.CertificateVerificationError
	msg := err.Error()
	if errors.As(err, &cv) || strings.Contains(msg, "SMTP AUTH failed") || strings.Contains(msg, "x509:") {
		return sink.Permanent(err)
	}
	return err
}

// ProbeSubject and ProbeBody are EMAIL_STARTUP_TEST's mail, as in the old tool.
func ProbeSubject(host string) string { return "[NetBird] birdseye startup (" + host + ")" }

func ProbeBody(host, nbURL, mode string, cfg Config, now time.Time) string {
	if nbURL == "" {
		nbURL = "<unset>"
	}
	return fmt.Sprintf(`birdseye email sink startup.

  container host: %s
  netbird url:    %s
  time:           %s UTC
  email mode:     %s
  transport:      %s %s:%d
  recipients:     %s

Delivery of this mail confirms host, port, TLS mode, and credentials are correct.
Set EMAIL_STARTUP_TEST=false (or unset) to suppress on the next container start.
`, host, nbURL, now.UTC().Format("2006-01-02 15:04:05"), mode, cfg.TLSMode, cfg.Host, cfg.Port, strings.Join(cfg.To, ", "))
}

// Check connects to the mail server, negotiates TLS and logs in as a send
// would, then hangs up without sending anything.
func (s *Sink) Check(ctx context.Context) error {
	c, err := s.client()
	if err != nil {
		return fmt.Errorf("mail via %s: %w", s.server(), err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	if err := c.DialWithContext(ctx); err != nil {
		return classify(fmt.Errorf("mail via %s: %w", s.server(), err))
	}
	return c.Close()
}
