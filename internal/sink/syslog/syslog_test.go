package syslog

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/sinktest"
)

// rfc5424 is the message grammar's header: PRI VERSION TIMESTAMP HOSTNAME
// APP-NAME PROCID MSGID, then structured data and the message.
var rfc5424 = regexp.MustCompile(`^<(\d{1,3})>1 (\S+) (\S{1,255}) (\S{1,48}) (\S{1,128}) (\S{1,32}) ((?:\[[^\]\\]*(?:\\.[^\]\\]*)*\])+|-) \x{FEFF}(.*)$`)

// receiver is a syslog server: it reads octet-counted frames on TCP/TLS
// and datagrams on UDP, and parses each message as RFC 5424.
type receiver struct {
	t       *testing.T
	network string
	mu      sync.Mutex
	msgs    []string
	bad     []string
	conns   int
	ln      net.Listener
	pc      net.PacketConn
	addr    string
	tlsCfg  *tls.Config
	hang    bool
}

// header is the part of an RFC 5424 message a cut datagram still has.
var header = regexp.MustCompile(`^<(\d{1,3})>1 (\S+) (\S{1,255}) (\S{1,48}) (\S{1,128}) (\S{1,32}) \[`)

func (r *receiver) add(m string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.network == "udp" && len(m) == MaxUDP && header.MatchString(m) {
		r.msgs = append(r.msgs, m) // cut at 2048 bytes, as documented
		return
	}
	if !rfc5424.MatchString(m) {
		r.bad = append(r.bad, m)
		return
	}
	r.msgs = append(r.msgs, m)
}

func (r *receiver) listen() {
	switch r.network {
	case "udp":
		pc, err := net.ListenPacket("udp", r.addrOr("127.0.0.1:0"))
		require.NoError(r.t, err)
		r.pc, r.addr = pc, pc.LocalAddr().String()
		go func() {
			buf := make([]byte, 65536)
			for {
				n, _, err := pc.ReadFrom(buf)
				if err != nil {
					return
				}
				r.add(string(buf[:n]))
			}
		}()
	default:
		ln, err := net.Listen("tcp", r.addrOr("127.0.0.1:0"))
		require.NoError(r.t, err)
		r.ln, r.addr = ln, ln.Addr().String()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				r.mu.Lock()
				r.conns++
				hang := r.hang
				r.mu.Unlock()
				if hang {
					continue // accepted, never answers the TLS handshake
				}
				if r.network == "tls" {
					c = tls.Server(c, r.tlsCfg)
				}
				go r.frames(c)
			}
		}()
	}
}

func (r *receiver) addrOr(def string) string {
	if r.addr != "" {
		return r.addr
	}
	return def
}

// frames reads RFC 6587 octet counting: MSG-LEN SP SYSLOG-MSG.
func (r *receiver) frames(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	for {
		lenStr, err := br.ReadString(' ')
		if err != nil {
			return
		}
		n, err := strconv.Atoi(strings.TrimSuffix(lenStr, " "))
		if err != nil || n <= 0 {
			r.mu.Lock()
			r.bad = append(r.bad, "bad frame length "+lenStr)
			r.mu.Unlock()
			return
		}
		msg := make([]byte, n)
		if _, err := io.ReadFull(br, msg); err != nil {
			return
		}
		r.add(string(msg))
	}
}

func (r *receiver) stop() {
	if r.ln != nil {
		r.ln.Close()
	}
	if r.pc != nil {
		r.pc.Close()
	}
}

func (r *receiver) Events() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.bad) > 0 {
		r.t.Errorf("%d messages do not parse as RFC 5424, the first: %.300q", len(r.bad), r.bad[0])
		r.bad = nil
	}
	return len(r.msgs)
}
func (r *receiver) Requests() int { return r.Events() + r.connsSeen() }
func (r *receiver) connsSeen() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.conns
}
func (r *receiver) Fail(f sinktest.Failure) bool {
	switch f {
	case sinktest.OK:
		r.mu.Lock()
		r.hang = false
		r.mu.Unlock()
		r.listen()
		return true
	case sinktest.ServerError:
		if r.network == "udp" {
			return false // a datagram's loss is not reported to the sender
		}
		r.stop() // the receiver goes away: refused
		return true
	case sinktest.Hang:
		if r.network != "tls" {
			return false
		}
		r.mu.Lock()
		r.hang = true
		r.mu.Unlock()
		return true
	}
	return false
}
func (r *receiver) Secrets() []string { return nil }

// Lossy: over UDP the kernel drops datagrams past the socket buffer (about
// 200 KiB); TestAUDPMessageIsCutAt2048Bytes covers UDP's size rule.
func (r *receiver) Lossy() bool { return r.network == "udp" }

// testTLS makes a server certificate for 127.0.0.1 and the client config
// that trusts it (as SYSLOG_CA_FILE would).
func testTLS(t *testing.T) (server, client *tls.Config) {
	srv := httptest.NewUnstartedServer(nil) // its certificate is for 127.0.0.1
	srv.StartTLS()
	cert := srv.TLS.Certificates[0]
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	srv.Close()
	return &tls.Config{Certificates: []tls.Certificate{cert}}, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

func start(t *testing.T, network string) (*Sink, *receiver) {
	r := &receiver{t: t, network: network}
	var client *tls.Config
	if network == "tls" {
		r.tlsCfg, client = testTLS(t)
	}
	r.listen()
	t.Cleanup(r.stop)
	s := New(Config{Network: network, Addr: r.addr, TLS: client, AppName: "birdseye"})
	t.Cleanup(func() { s.Close() })
	return s, r
}

func TestSyslogConformance(t *testing.T) {
	for _, network := range []string{"udp", "tcp", "tls"} {
		t.Run(network, func(t *testing.T) {
			sinktest.Run(t, func(t *testing.T) (sink.Sink, sinktest.Receiver) { return start(t, network) })
		})
	}
}

func TestAnEventIsOneRFC5424MessageWithItsFieldsAsStructuredData(t *testing.T) {
	s, r := start(t, "tcp")
	e := event.Event{ID: 42, ActivityCode: "policy.delete", Activity: "Policy deleted", InitiatorName: "alice", TargetID: "pol-1",
		Timestamp: "2026-11-23T08:13:07.123456Z", Meta: event.Meta{{Key: "name", Value: `Admins "prod"] \ ops`}},
		Changes: []event.Change{{Path: "enabled", Before: "true", After: "false"}}}
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: []event.Event{e}, Alerts: []string{"NetBird API unreachable for 10 min"}}))
	require.Eventually(t, func() bool { return r.Events() == 2 }, 5*time.Second, 5*time.Millisecond)
	m := rfc5424.FindStringSubmatch(r.msgs[1])
	require.NotNil(t, m)
	require.Equal(t, "132", m[1], "local0.warning: a deletion")
	require.Equal(t, "2026-11-23T08:13:07.123456Z", m[2])
	require.Equal(t, "birdseye", m[4])
	require.Equal(t, "policy.delete", m[6])
	require.Equal(t, `[birdseye@32473 id="42" code="policy.delete" initiator="alice" target="pol-1" change1="enabled: true -> false"][meta@32473 name="Admins \"prod\"\] \\ ops"]`, m[7])
	require.Contains(t, m[8], "Policy deleted  target=pol-1")
	a := rfc5424.FindStringSubmatch(r.msgs[0])
	require.Equal(t, "131", a[1], "birdseye's alert: local0.err")
	require.Contains(t, a[8], "NetBird API unreachable for 10 min")
}

func TestControlCharactersInAnEventCannotForgeAMessage(t *testing.T) {
	s, r := start(t, "tcp")
	e := event.Event{ID: 7, ActivityCode: "group.add", Activity: "Group created\n<131>1 forged", InitiatorName: "a\x1b[2Jb", TargetID: "t\r\nx",
		Timestamp: "2026-11-23T08:13:07Z", Meta: event.Meta{{Key: "name", Value: "g\nh"}}}
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: []event.Event{e}}))
	require.Eventually(t, func() bool { return r.Events() == 1 }, 5*time.Second, 5*time.Millisecond)
	msg := r.msgs[0]
	require.NotContains(t, msg, "\n")
	require.NotContains(t, msg, "\r")
	require.NotContains(t, msg, "\x1b")
	require.Contains(t, msg, `initiator="a\\x1b[2Jb"`, "shown, escaped for the structured data")
	require.Contains(t, msg, `Group created\n<131>1 forged`)
}

func TestRFC3164ForOldReceivers(t *testing.T) {
	ln, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	s := New(Config{Network: "udp", Addr: ln.LocalAddr().String(), RFC3164: true, AppName: "birdseye"})
	defer s.Close()
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: sinktest.Events(1, 0)}))
	buf := make([]byte, 4096)
	ln.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := ln.ReadFrom(buf)
	require.NoError(t, err)
	require.Regexp(t, `^<133>Nov 23 08:00:00 \S+ birdseye: 2026-11-23 08:00:00  policy.update`, string(buf[:n]))
}

func TestAUDPMessageIsCutAt2048Bytes(t *testing.T) {
	ln, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	s := New(Config{Network: "udp", Addr: ln.LocalAddr().String()})
	defer s.Close()
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: sinktest.Events(1, 8000)}))
	buf := make([]byte, 65536)
	ln.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := ln.ReadFrom(buf)
	require.NoError(t, err)
	require.Equal(t, MaxUDP, n)
}

func TestTLSRefusesAReceiverItDoesNotTrust(t *testing.T) {
	_, r := start(t, "tls")
	s := New(Config{Network: "tls", Addr: r.addr, TLS: &tls.Config{ServerName: "127.0.0.1"}})
	defer s.Close()
	err := s.Deliver(t.Context(), sink.Batch{Events: sinktest.Events(1, 0)})
	require.ErrorContains(t, err, "certificate")
	require.Zero(t, r.Events())
}
