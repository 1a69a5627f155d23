// Package syslog sends events to a syslog receiver (a SIEM, rsyslog,
// syslog-ng, Graylog): one message per event, RFC 5424 with the event's
// fields as structured data (or RFC 3164 for old receivers), over UDP, TCP
// or TLS with octet-counting framing (RFC 6587) on the streams. A broken
// connection is dropped and dialled again on the next delivery; the
// sink's outbox retries with backoff meanwhile.
package syslog

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/render"
	"github.com/styliteag/birdseye/internal/sink"
)

// Config is SYSLOG_*.
type Config struct {
	Network string // udp, tcp or tls
	Addr    string // host:port
	RFC3164 bool   // the old BSD format instead of RFC 5424
	AppName string
	TLS     *tls.Config // for tls: the roots (SYSLOG_CA_FILE) and server name
}

// MaxUDP is the largest datagram sent: RFC 5426 asks receivers to take
// 2048 bytes; a longer message is cut there.
const MaxUDP = 2048

// enterprise is the private enterprise number of the structured data ids;
// 32473 is the one RFC 5612 reserves for documentation and examples.
const enterprise = "32473"

const facility = 16 // local0

// Sink is a syslog sender. It is safe for concurrent use: one message is
// written at a time.
type Sink struct {
	cfg  Config
	host string

	mu   sync.Mutex
	conn net.Conn
}

// New returns a sink; nothing is dialled until the first delivery.
func New(cfg Config) *Sink {
	host, _ := os.Hostname()
	if host == "" {
		host = "-"
	}
	if cfg.AppName == "" {
		cfg.AppName = "birdseye"
	}
	return &Sink{cfg: cfg, host: host}
}

func (s *Sink) Name() string { return "syslog" }

// Deliver sends notices and events, one message each. When the connection
// breaks midway, the error says how many events went out before, and the
// next delivery dials again.
func (s *Sink) Deliver(ctx context.Context, b sink.Batch) error {
	if b.Empty() {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	for _, n := range b.Notices("syslog") {
		if err := s.send(ctx, s.format(notice(n, now))); err != nil {
			return err
		}
	}
	for i, e := range b.Events {
		if err := s.send(ctx, s.format(e)); err != nil {
			if i > 0 {
				return &sink.PartialError{Delivered: i, Err: err}
			}
			return err
		}
	}
	return nil
}

func notice(text string, now time.Time) event.Event {
	return event.Event{ActivityCode: "birdseye.alert", Activity: text, InitiatorLabel: "birdseye", Timestamp: now.UTC().Format(time.RFC3339Nano), Stream: "birdseye"}
}

func (s *Sink) send(ctx context.Context, msg []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.conn != nil && !s.alive() {
		s.conn.Close()
		s.conn = nil
	}
	if s.conn == nil {
		if err := s.dial(ctx); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	s.conn.SetWriteDeadline(deadline)
	frame := msg
	if s.cfg.Network == "udp" {
		if len(frame) > MaxUDP {
			frame = frame[:MaxUDP]
		}
	} else {
		frame = append([]byte(strconv.Itoa(len(msg))+" "), msg...) // octet counting
	}
	if _, err := s.conn.Write(frame); err != nil {
		s.conn.Close()
		s.conn = nil
		return fmt.Errorf("syslog %s://%s: write: %w", s.cfg.Network, s.cfg.Addr, err)
	}
	return nil
}

func (s *Sink) dial(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	d := &net.Dialer{KeepAlive: 30 * time.Second}
	var conn net.Conn
	var err error
	switch s.cfg.Network {
	case "tls":
		td := &tls.Dialer{NetDialer: d, Config: s.cfg.TLS}
		conn, err = td.DialContext(ctx, "tcp", s.cfg.Addr)
	default:
		conn, err = d.DialContext(ctx, s.cfg.Network, s.cfg.Addr)
	}
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) && !errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%w (%w)", err, context.DeadlineExceeded)
		}
		return fmt.Errorf("syslog %s://%s: connect: %w", s.cfg.Network, s.cfg.Addr, err)
	}
	s.conn = conn
	return nil
}

// alive reports whether a stream connection is still open. A receiver never
// sends anything, so a read that ends at once with EOF or an error means it
// has closed its side: a write now would be accepted locally and lost
// (RFC 6587 has no acknowledgement). For TLS the probe reads below the TLS
// layer, which birdseye never reads from otherwise.
func (s *Sink) alive() bool {
	if s.cfg.Network == "udp" {
		return true
	}
	c := s.conn
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	c.SetReadDeadline(time.Now().Add(time.Millisecond))
	defer c.SetReadDeadline(time.Time{})
	var buf [512]byte
	for {
		_, err := c.Read(buf[:])
		var ne net.Error
		switch {
		case err == nil:
			continue // a TLS session ticket or the like: not for us
		case errors.As(err, &ne) && ne.Timeout():
			return true
		default:
			return false
		}
	}
}

// Check connects (TCP, and the TLS handshake with the certificate check)
// without sending anything; for UDP, which has no connection, it resolves
// the address. It is doctor's probe.
func (s *Sink) Check(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
	if err := s.dial(ctx); err != nil {
		return err
	}
	s.conn.Close()
	s.conn = nil
	return nil
}

// Close drops the connection.
func (s *Sink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn = nil
	return err
}

func (s *Sink) format(e event.Event) []byte {
	pri := facility*8 + event.Severity(e)
	msg := render.Line(e, time.UTC)
	if s.cfg.RFC3164 {
		t := time.Now()
		if et, ok := e.Time(); ok {
			t = et
		}
		return []byte(fmt.Sprintf("<%d>%s %s %s: %s", pri, t.UTC().Format(time.Stamp), s.host, s.cfg.AppName, msg))
	}
	ts := "-"
	if et, ok := e.Time(); ok {
		ts = et.UTC().Format("2006-01-02T15:04:05.000000Z07:00")
	}
	msgid := printable(e.ActivityCode, 32)
	if msgid == "" {
		msgid = "-"
	}
	return []byte(fmt.Sprintf("<%d>1 %s %s %s %d %s %s \xef\xbb\xbf%s", pri, ts, printable(s.host, 255), printable(s.cfg.AppName, 48), os.Getpid(), msgid, structured(e), msg))
}

// structured is the event as RFC 5424 structured data: its own fields
// under birdseye@32473, its meta under meta@32473.
func structured(e event.Event) string {
	var b strings.Builder
	b.WriteString("[birdseye@" + enterprise)
	param := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, ` %s="%s"`, k, escape(v))
		}
	}
	if e.ID != 0 {
		param("id", e.ID.String())
	}
	param("stream", e.Stream)
	param("code", e.ActivityCode)
	param("initiator", e.Initiator())
	param("initiator_id", e.InitiatorID)
	param("target", e.TargetID)
	for i, c := range e.Changes {
		param("change"+strconv.Itoa(i+1), c.Path+": "+c.Before+" -> "+c.After)
	}
	b.WriteString("]")
	if len(e.Meta) > 0 {
		b.WriteString("[meta@" + enterprise)
		for _, f := range e.Meta {
			v := f.Value
			if f.Raw != nil {
				v = string(f.Raw)
			}
			if name := printable(strings.NewReplacer("=", "_", " ", "_", "]", "_", `"`, "_").Replace(f.Key), 32); name != "" {
				param(name, v)
			}
		}
		b.WriteString("]")
	}
	return b.String()
}

// escape is RFC 5424's PARAM-VALUE escaping: \, " and ] get a backslash;
// control characters are shown as \n, \x1b, … (render.Clean) so that a
// receiver that writes a line per message gets one line.
func escape(v string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, `]`, `\]`).Replace(render.Clean(v))
}

// printable keeps the header fields to PRINTUSASCII (33-126), cut to n.
func printable(s string, n int) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 33 && r <= 126 {
			b.WriteRune(r)
		}
		if b.Len() == n {
			break
		}
	}
	return b.String()
}
