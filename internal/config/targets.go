package config

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// BackupTarget is one BACKUP_TARGETS entry, read and checked here once:
// file:///dir, sftp://user@host[:port]/dir or s3://bucket/prefix. The
// target package builds the client from it.
type BackupTarget struct {
	Raw    string // as written, for messages
	Scheme string // file, sftp or s3
	User   string // sftp: the login
	Host   string // sftp: the host; s3: the bucket
	Port   int    // sftp: 22 unless given
	Path   string // file and sftp: the directory; s3: the prefix
}

// parseTarget reads one entry of BACKUP_TARGETS' form (also what `backup
// check` takes): the error says the form expected.
func parseTarget(raw string) (BackupTarget, error) {
	raw = strings.TrimSpace(raw)
	t := BackupTarget{Raw: raw}
	u, err := url.Parse(raw)
	if err != nil {
		return t, fmt.Errorf("%q is not a URL", raw)
	}
	t.Scheme = u.Scheme
	switch u.Scheme {
	case "file":
		if u.Host != "" || !strings.HasPrefix(u.Path, "/") {
			return t, fmt.Errorf("%q: expected file:///absolute/dir (three slashes)", raw)
		}
		t.Path = u.Path
	case "sftp":
		if u.Host == "" || u.Path == "" || u.Path == "/" {
			return t, fmt.Errorf("%q: expected sftp://user@host[:port]/dir", raw)
		}
		t.Host, t.Path, t.Port = u.Hostname(), u.Path, 22
		if p := u.Port(); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 65535 {
				return t, fmt.Errorf("%q: the port %s is not one; expected sftp://user@host[:port]/dir with a port from 1 to 65535", raw, p)
			}
			t.Port = n
		}
		if u.User != nil {
			t.User = u.User.Username()
		}
	case "s3":
		if u.Host == "" {
			return t, fmt.Errorf("%q: expected s3://bucket/prefix", raw)
		}
		t.Host, t.Path = u.Host, strings.Trim(u.Path, "/")
	default:
		return t, fmt.Errorf("%q: unknown scheme; expected file:///dir, sftp://user@host[:port]/dir or s3://bucket/prefix", raw)
	}
	return t, nil
}

// TargetSpecs reads BACKUP_TARGETS, each entry checked with what it needs
// (an s3:// entry: the keys and an http(s) endpoint); every bad entry is
// named by its position.
func (b Backup) TargetSpecs() ([]BackupTarget, error) {
	var out []BackupTarget
	var errs []error
	for i, raw := range b.Targets {
		t, err := b.checkTarget(raw)
		if err != nil {
			errs = append(errs, &Error{Var: "BACKUP_TARGETS", Msg: fmt.Sprintf("entry %d %v", i+1, err)})
			continue
		}
		out = append(out, t)
	}
	return out, Join(errs...)
}

// checkTarget is parseTarget with the settings the entry's kind needs.
func (b Backup) checkTarget(raw string) (BackupTarget, error) {
	t, err := parseTarget(raw)
	if err != nil || t.Scheme != "s3" {
		return t, err
	}
	if b.S3AccessKey == "" || b.S3SecretKey == "" {
		return t, fmt.Errorf("%q: BACKUP_S3_ACCESS_KEY_ID and BACKUP_S3_SECRET_ACCESS_KEY are needed", t.Raw)
	}
	if b.S3Endpoint != "" {
		if e, err := url.Parse(b.S3Endpoint); err != nil || e.Host == "" || (e.Scheme != "http" && e.Scheme != "https") {
			return t, fmt.Errorf("%q: the endpoint %q is not an http(s) URL", t.Raw, b.S3Endpoint)
		}
	}
	return t, nil
}

// SSHStrictOr is BACKUP_SSH_STRICT, accept-new when empty.
func (b Backup) SSHStrictOr() string {
	if strings.TrimSpace(b.SSHStrict) == "" {
		return "accept-new"
	}
	return b.SSHStrict
}
