package config

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/styliteag/birdseye/internal/pgdsn"
)

// SecretValues are the values of the secret variables as set now (from the
// environment or their _FILE), longest first, for scrubbing text that did
// not go through Secret's own redaction, such as a panic's message. A
// webhook URL's last path segment (the hook's key) counts on its own too.
func SecretValues() []string {
	var out []string
	for _, v := range Vars() {
		if !v.Secret {
			continue
		}
		val := os.Getenv(v.Name)
		if p := os.Getenv(v.Name + "_FILE"); p != "" {
			if b, err := os.ReadFile(p); err == nil {
				val = strings.TrimSpace(string(b))
			}
		}
		if len(val) < 4 { // too short to scrub without mangling ordinary text
			continue
		}
		if v.Name == "EVENTS_DB" || v.Name == "NB_ACTIVITY_EVENT_POSTGRES_DSN" {
			if !pgdsn.Is(val) {
				continue // the path of events.db is no secret
			}
			if pw := pgdsn.Password(val); len(pw) >= 4 {
				out = append(out, pw) // a driver's message may name it alone
			}
		}
		out = append(out, val)
		if v.Name == "WEBHOOK_HEADERS" {
			// A receiver may echo one header back: each value, and its
			// credential without the scheme word, counts on its own.
			for _, pair := range strings.Split(val, ";") {
				_, hv, _ := strings.Cut(pair, ":")
				hv = strings.TrimSpace(hv)
				if len(hv) >= 4 {
					out = append(out, hv)
				}
				if f := strings.Fields(hv); len(f) > 1 && len(f[len(f)-1]) >= 8 {
					out = append(out, f[len(f)-1])
				}
			}
		}
		if v.Name == "SMTP_PASSWORD" {
			out = append(out, smtpAuthForms(os.Getenv("SMTP_USER"), val)...)
		}
		if u, err := url.Parse(val); err == nil && u.Host != "" {
			if seg := path.Base(u.Path); len(seg) >= 8 {
				out = append(out, seg)
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// smtpAuthForms are the password as it crosses the wire in SMTP AUTH, which
// a server may echo in its refusal: base64 of the password (LOGIN) and of
// the PLAIN message, with an empty or repeated authorisation id. Unpadded,
// so the form without '=' is caught too.
func smtpAuthForms(user, password string) []string {
	var out []string
	for _, plain := range []string{password, "\x00" + user + "\x00" + password, user + "\x00" + user + "\x00" + password} {
		out = append(out, base64.RawStdEncoding.EncodeToString([]byte(plain)))
	}
	return out
}

// Scrub replaces every secret value in s.
func Scrub(s string, secrets []string) string {
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, "[redacted]")
	}
	return s
}

// CrashReport is what birdseye prints for a panic: the message and the
// stack, with every secret value scrubbed.
func CrashReport(r any, stack []byte, secrets []string) string {
	return fmt.Sprintf("birdseye: internal error, please report it: %s\n%s", Scrub(fmt.Sprint(r), secrets), Scrub(string(stack), secrets))
}
