// Package smtptest runs a real SMTP server in the test process (emersion's
// go-smtp): STARTTLS, implicit TLS or plain, AUTH PLAIN with a
// password, a certificate from a CA made on the spot, and a record of every
// message delivered. It can refuse mail with a temporary error, like a
// server that is down for maintenance.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one delivered mail.
type Message struct {
	From        string
	To          []string
	Raw         []byte
	Header      mail.Header
	Subject     string            // decoded
	Body        string            // decoded (the text part of a multipart mail)
	Attachments map[string][]byte // decoded, by file name
}

// Server is a running SMTP server.
type Server struct {
	Host   string // 127.0.0.1
	Port   int
	Mode   string // starttls, tls or none
	User   string
	Pass   string
	CAPool *x509.CertPool
	CAFile string // PEM of the CA, for SSL_CERT_FILE

	mu      sync.Mutex
	msgs    []Message
	refuse  bool
	accepts int // mails still accepted before refusing; -1 = no limit
	srv     *smtp.Server
	ln      net.Listener
}

// Start runs a server in mode ("starttls", "tls" or "none"); with a user,
// mail is accepted only after AUTH with that user and password.
func Start(t testing.TB, mode, user, pass string) *Server {
	t.Helper()
	caPEM, cert, pool := makeCerts(t)
	s := &Server{Host: "127.0.0.1", Mode: mode, User: user, Pass: pass, CAPool: pool, accepts: -1}
	s.CAFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(s.CAFile, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "smtptest.local"
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	var err error
	switch mode {
	case "tls":
		s.ln, err = tls.Listen("tcp", "127.0.0.1:0", tlsCfg)
	case "starttls":
		s.srv.TLSConfig = tlsCfg
		s.ln, err = net.Listen("tcp", "127.0.0.1:0")
	default:
		s.srv.AllowInsecureAuth = true
		s.ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(s.ln.Addr().String())
	s.Port, _ = strconv.Atoi(port)
	go s.srv.Serve(s.ln)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// Refuse makes the server answer MAIL FROM with a temporary 451 until
// Accept: mail is not lost, the sender must retry.
func (s *Server) Refuse() { s.mu.Lock(); s.refuse = true; s.mu.Unlock() }

// Accept ends Refuse.
func (s *Server) Accept() { s.mu.Lock(); s.refuse, s.accepts = false, -1; s.mu.Unlock() }

// RefuseAfter accepts n more mails, then refuses like Refuse.
func (s *Server) RefuseAfter(n int) { s.mu.Lock(); s.accepts = n; s.mu.Unlock() }

// Messages returns what was delivered so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

type session struct {
	s     *Server
	authd bool
	from  string
	to    []string
}

func (x *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (x *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != x.s.User || pass != x.s.Pass {
			return smtp.ErrAuthFailed
		}
		x.authd = true
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.User != "" && !x.authd {
		return smtp.ErrAuthRequired
	}
	x.s.mu.Lock()
	refuse := x.s.refuse || x.s.accepts == 0
	if !refuse && x.s.accepts > 0 {
		x.s.accepts--
	}
	x.s.mu.Unlock()
	if refuse {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := Message{From: x.from, To: x.to, Raw: raw}
	if pm, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		m.Header = pm.Header
		m.Subject, _ = new(mime.WordDecoder).DecodeHeader(pm.Header.Get("Subject"))
		mt, params, _ := mime.ParseMediaType(pm.Header.Get("Content-Type"))
		if strings.HasPrefix(mt, "multipart/") {
			m.Attachments = map[string][]byte{}
			mr := multipart.NewReader(pm.Body, params["boundary"])
			for {
				part, err := mr.NextRawPart()
				if err != nil {
					break
				}
				body := decodePart(part.Header.Get("Content-Transfer-Encoding"), part)
				if name := part.FileName(); name != "" {
					m.Attachments[name] = body
				} else if m.Body == "" {
					m.Body = strings.ReplaceAll(string(body), "\r\n", "\n")
				}
			}
		} else {
			body := decodePart(pm.Header.Get("Content-Transfer-Encoding"), pm.Body)
			m.Body = strings.ReplaceAll(string(body), "\r\n", "\n")
		}
	}
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, m)
	x.s.mu.Unlock()
	return nil
}

func decodePart(cte string, r io.Reader) []byte {
	body, _ := io.ReadAll(r)
	switch strings.ToLower(cte) {
	case "quoted-printable":
		body, _ = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
	case "base64":
		body, _ = io.ReadAll(base64.NewDecoder(base64.StdEncoding, bytes.NewReader(body)))
	}
	return body
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

// makeCerts makes a CA and a certificate for 127.0.0.1 and localhost.
func makeCerts(t testing.TB) ([]byte, tls.Certificate, *x509.CertPool) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtptest CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: key}, pool
}
