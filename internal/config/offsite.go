package config

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// Offsite is `backup offsite` and CRON_BACKUP_OFFSITE: the Python tool's
// OFFSITE_* variables, with their defaults.
type Offsite struct {
	Host       string `envconfig:"OFFSITE_SSH_HOST" desc:"user@host the configuration archives go to over SSH (SFTP); empty = no offsite backup"`
	Port       Count  `envconfig:"OFFSITE_SSH_PORT" default:"22" desc:"its SSH port"`
	Key        string `envconfig:"OFFSITE_SSH_KEY" desc:"path of the private key inside the container (OpenSSH or PEM, no passphrase; empty = ~/.ssh/id_ed25519, id_ecdsa, id_rsa)"`
	KeyFile    string `envconfig:"OFFSITE_SSH_KEY_FILE" desc:"the same path under the _FILE name Docker secrets use (set one of the two)"`
	KnownHosts string `envconfig:"OFFSITE_SSH_KNOWN_HOSTS" desc:"known-hosts file; when empty or not writable, known_hosts in the state directory"`
	Strict     string `envconfig:"OFFSITE_SSH_STRICT" default:"accept-new" desc:"host key policy as OpenSSH's StrictHostKeyChecking: yes (must be known), accept-new (learn it once, refuse a changed one) or no"`
	RemoteDir  string `envconfig:"OFFSITE_REMOTE_DIR" desc:"directory on the remote host the archives go to (created, mode 0700)"`
	Paths      List   `envconfig:"OFFSITE_PATHS" desc:"files and directories to archive, comma-separated, wildcards allowed (a wildcard that matches nothing is an error)"`
	DBPaths    List   `envconfig:"OFFSITE_DB_PATHS" desc:"SQLite databases, archived as consistent, integrity-checked snapshots under their own names (the live files and their -wal/-shm are left out)"`
	BaseDir    string `envconfig:"OFFSITE_BASE_DIR" desc:"names in the archive are relative to this directory (empty = the common parent of all paths)"`
	Exclude    List   `envconfig:"OFFSITE_EXCLUDE" desc:"wildcards left out, matched against names and paths in the archive as tar --exclude does, comma-separated"`
	Prefix     string `envconfig:"OFFSITE_PREFIX" default:"config-backup" desc:"archive names are <prefix>-<YYYYmmdd-HHMMSS>.tar.gz (local time); pruning touches only this prefix"`
	Keep       Count  `envconfig:"OFFSITE_KEEP" default:"14" desc:"archives of this prefix kept on the remote (at least 1)"`
	WorkDir    string `envconfig:"OFFSITE_WORK_DIR" default:"/var/tmp/birdseye-offsite" desc:"local scratch directory for the snapshots (wiped at each run)"`
	EmailTo    List   `envconfig:"OFFSITE_EMAIL_TO" desc:"where a failed offsite backup is mailed (empty = BACKUP_EMAIL_TO, then SMTP_TO)"`
}

// fill gives a set-but-empty variable its default, as the old tool did.
func (o *Offsite) fill() {
	fillEmpty(defaulted{&o.Strict, "accept-new"}, defaulted{&o.Prefix, "config-backup"}, defaulted{&o.WorkDir, "/var/tmp/birdseye-offsite"})
}

// KeyPath is OFFSITE_SSH_KEY or OFFSITE_SSH_KEY_FILE.
func (o Offsite) KeyPath() string {
	if o.Key != "" {
		return o.Key
	}
	return o.KeyFile
}

// Missing names what the job needs and is not set.
func (o Offsite) Missing() []string {
	return unset(setting{"OFFSITE_SSH_HOST", o.Host}, setting{"OFFSITE_REMOTE_DIR", o.RemoteDir}, setting{"OFFSITE_PATHS", o.Paths.String()})
}

var offsiteExpected = map[string]string{
	"OFFSITE_SSH_HOST":   "user@host of the backup server, e.g. backup@vault.example.com",
	"OFFSITE_REMOTE_DIR": "the directory on that host the archives go to, e.g. /srv/backups/netbird",
	"OFFSITE_PATHS":      "what to archive, as paths inside the container, e.g. /netbird/docker-compose.yml,/netbird/management.json",
}

// Require reports each of these variables that is not set, with the form
// it expects.
func (o Offsite) Require(names ...string) error {
	return requireSet(o.Missing(), offsiteExpected, names)
}

// setting is a variable's name and value, for the Missing lists.
type setting struct{ name, val string }

// unset names the variables that are empty.
func unset(vars ...setting) []string {
	var m []string
	for _, v := range vars {
		if strings.TrimSpace(v.val) == "" {
			m = append(m, v.name)
		}
	}
	return m
}

// requireSet reports each missing variable among names, with the form
// expected says it takes.
func requireSet(missing []string, expected map[string]string, names []string) error {
	var errs []error
	for _, m := range missing {
		if slices.Contains(names, m) {
			errs = append(errs, &Error{Var: m, Msg: "is not set; expected " + expected[m]})
		}
	}
	return Join(errs...)
}

// Validate checks what is set, reporting every problem.
func (o Offsite) Validate() error {
	var errs []error
	if o.Key != "" && o.KeyFile != "" {
		errs = append(errs, &Error{Var: "OFFSITE_SSH_KEY", Msg: "and OFFSITE_SSH_KEY_FILE are both set; expected only one of them"})
	}
	if k := o.KeyPath(); k != "" {
		if _, err := os.Stat(k); err != nil {
			name := map[bool]string{true: "OFFSITE_SSH_KEY", false: "OFFSITE_SSH_KEY_FILE"}[o.Key != ""]
			errs = append(errs, &Error{Var: name, Msg: fmt.Sprintf("=%s does not exist inside the container; expected the path of a mounted private key, e.g. /run/secrets/offsite_key", k)})
		}
	}
	errs = append(errs, sshErrors("OFFSITE", o.Strict, o.Port)...)
	if o.Keep < 1 {
		errs = append(errs, &Error{Var: "OFFSITE_KEEP", Msg: "=0 would prune the archive just shipped; expected at least 1"})
	}
	if strings.ContainsAny(o.Prefix, "/\\*?[") || strings.TrimSpace(o.Prefix) == "" {
		errs = append(errs, &Error{Var: "OFFSITE_PREFIX", Msg: fmt.Sprintf("=%q cannot start a file name; expected e.g. config-backup", o.Prefix)})
	}
	errs = append(errs, addressErrors("OFFSITE_EMAIL_TO", o.EmailTo)...)
	return Join(errs...)
}
