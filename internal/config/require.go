package config

import (
	"crypto/x509"
	"fmt"
	"os"
)

// What a command needs of the configuration beyond what the daemon does.
// The daemon starts without these; the command that needs one says so,
// in the words below, and exits 2.

// RequirePaths is `backup volumes`' need: something to archive.
func (b Backup) RequirePaths() error {
	if len(b.Paths) == 0 {
		return &Error{Var: "BACKUP_PATHS", Msg: "is not set; expected the paths of NetBird's volumes inside the container, e.g. /backup/netbird"}
	}
	return nil
}

// RequireSource is `backup run`'s need: volumes, an API export, or both.
func (t *Tool) RequireSource() error {
	if len(t.Backup.Paths) == 0 && t.NetBird.AdminKey == "" {
		return &Error{Var: "BACKUP_PATHS", Msg: "and NB_ADMIN_API_KEY are both empty; expected at least one (volumes, API export)"}
	}
	return nil
}

// RequireDir is `backup check latest`'s need: where the archives are.
func (b Backup) RequireDir() error {
	if b.Dir == "" {
		return &Error{Var: "BACKUP_DIR", Msg: "is not set; `backup check latest` looks there: expected the directory that keeps the archives, or give the archive's path"}
	}
	return nil
}

// RequirePassword is a restore's need when there is no terminal to ask on.
func (b Backup) RequirePassword() error {
	if b.Password == "" {
		return &Error{Var: "BACKUP_ZIP_PASSWORD", Msg: "is not set and there is no terminal to ask on; expected BACKUP_ZIP_PASSWORD or BACKUP_ZIP_PASSWORD_FILE"}
	}
	return nil
}

// ErrNoCompareToken is `clone drill`'s and `clone verify`'s answer without
// NB_API_KEY: they compare the standby with the primary through the API.
var ErrNoCompareToken error = &Error{Var: "NB_API_KEY", Msg: "must be set to compare the standby with the primary; expected the primary's token (the standby, its clone, accepts it too)"}

// Roots are the system's roots plus NB_CA_FILE's and CLONE_CA_FILE's
// certificates, or nil (the system's alone) when neither is set: the
// clone's drill and verify reach the primary and the standby with them.
func (c Clone) Roots(n NetBird) (*x509.CertPool, error) {
	var pool *x509.CertPool
	for _, f := range []struct{ name, path string }{{"NB_CA_FILE", n.CAFile}, {"CLONE_CA_FILE", c.CAFile}} {
		if f.path == "" {
			continue
		}
		if pool == nil {
			if pool, _ = x509.SystemCertPool(); pool == nil {
				pool = x509.NewCertPool()
			}
		}
		pem, err := os.ReadFile(f.path)
		if err != nil {
			return nil, &Error{Var: f.name, Msg: fmt.Sprintf("=%s cannot be read (%v); expected a mounted PEM file", f.path, err)}
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, &Error{Var: f.name, Msg: fmt.Sprintf("=%s holds no PEM certificate; expected a CA certificate in PEM form", f.path)}
		}
	}
	return pool, nil
}

// LoadWebhookSigning reads WEBHOOK_SECRET (or _FILE) and WEBHOOK_STYLE as the
// sender signs with them, for `webhook verify`; nothing else of the
// webhook need be set.
func LoadWebhookSigning() (secret, style string, err error) {
	var w Webhook
	if err := process(&w); err != nil {
		return "", "", err
	}
	return w.Secret.Reveal(), w.Style, nil
}
