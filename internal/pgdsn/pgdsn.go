// Package pgdsn knows PostgreSQL connection strings as NetBird's
// NB_ACTIVITY_EVENT_POSTGRES_DSN takes them: a postgres:// URL or libpq's
// key=value form. It tells one from a file path, checks it as the driver
// will read it, and writes it without its password for messages.
package pgdsn

import (
	"net/url"
	"strings"

	"github.com/lib/pq"
)

// Is says whether s is a connection string rather than a file path.
func Is(s string) bool {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") {
		return true
	}
	for _, f := range strings.Fields(s) {
		if k, _, ok := strings.Cut(f, "="); ok && (k == "host" || k == "dbname" || k == "user") {
			return true
		}
	}
	return false
}

// Check reads the string as the driver will (sslmode and the other
// libpq parameters included) and says what it cannot take.
func Check(dsn string) error {
	_, err := pq.NewConfig(dsn)
	return err
}

// Redact is the string without its password.
func Redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		if u.User != nil {
			u.User = url.User(u.User.Username())
		}
		q := u.Query()
		if q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = q.Encode()
		}
		return u.String()
	}
	fields := strings.Fields(dsn)
	for i, f := range fields {
		if strings.HasPrefix(f, "password=") {
			fields[i] = "password=xxxxx"
		}
	}
	return strings.Join(fields, " ")
}

// Password is the string's password, or "".
func Password(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		if pw, ok := u.User.Password(); ok {
			return pw
		}
		return u.Query().Get("password")
	}
	for _, f := range strings.Fields(dsn) {
		if v, ok := strings.CutPrefix(f, "password="); ok {
			return strings.Trim(v, "'")
		}
	}
	return ""
}

// Database is the database the string names, or "".
func Database(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		if db := strings.TrimPrefix(u.Path, "/"); db != "" {
			return db
		}
		return u.Query().Get("dbname")
	}
	for _, f := range strings.Fields(dsn) {
		if v, ok := strings.CutPrefix(f, "dbname="); ok {
			return strings.Trim(v, "'")
		}
	}
	return ""
}
