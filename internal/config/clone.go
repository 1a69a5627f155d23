package config

import (
	"fmt"
	"net"
	"os"
	"regexp"
	"strings"
)

// Clone is `birdseye clone` and CRON_CLONE_STANDBY: the Python tool's
// CLONE_* variables, with their defaults. Each target named in
// CLONE_TARGETS has CLONE_<NAME>_ROOT, _PROJECT, _COMPOSE, _HOST,
// _AUTOSTART, _CERT_COPY and _DB_DIR, read by the clone package itself
// (their names depend on the target's).
type Clone struct {
	Host           string `envconfig:"CLONE_SSH_HOST" desc:"user@host of the standby the clone is installed on, over SSH (SFTP); empty = no standby clone"`
	Port           Count  `envconfig:"CLONE_SSH_PORT" default:"22" desc:"its SSH port"`
	Key            string `envconfig:"CLONE_SSH_KEY" desc:"path of the private key inside the container (OpenSSH or PEM, no passphrase; empty = ~/.ssh/id_ed25519, id_ecdsa, id_rsa)"`
	KnownHosts     string `envconfig:"CLONE_SSH_KNOWN_HOSTS" desc:"known-hosts file; when empty or not writable, known_hosts in the state directory"`
	Strict         string `envconfig:"CLONE_SSH_STRICT" default:"accept-new" desc:"host key policy as OpenSSH's StrictHostKeyChecking: yes, accept-new or no"`
	Targets        string `envconfig:"CLONE_TARGETS" desc:"the stacks on the standby the clone is installed into, comma-separated; each has CLONE_<NAME>_ROOT and the other per-target variables"`
	PrimaryHost    string `envconfig:"CLONE_PRIMARY_HOST" desc:"the primary's public name (empty = the host of NB_URL)"`
	StandbyIP      string `envconfig:"CLONE_STANDBY_IP" desc:"the standby's address clients would reach after a DNS change, for verify and the failover advice (empty = the address of CLONE_SSH_HOST)"`
	PayloadDir     string `envconfig:"CLONE_PAYLOAD_DIR" desc:"directory on the standby the payload is pushed to (empty = <failover target's root>/incoming)"`
	StageDir       string `envconfig:"CLONE_STAGE_DIR" default:"/var/tmp/birdseye-clone-stage" desc:"local directory the payload is staged in (wiped at each stage)"`
	DBPaths        List   `envconfig:"CLONE_DB_PATHS" desc:"the primary's SQLite databases, comma-separated, copied as consistent integrity-checked snapshots"`
	DBSubdir       string `envconfig:"CLONE_DB_SUBDIR" default:"data/netbird" desc:"where the databases go in a target's root, unless CLONE_<NAME>_DB_DIR says otherwise"`
	ConfigFiles    List   `envconfig:"CLONE_CONFIG_FILES" desc:"configuration files installed into each target's root, comma-separated (the primary's name is rewritten for a target with another _HOST)"`
	TargetPaths    string `envconfig:"CLONE_TARGET_PATHS" desc:"more files or directories per target, local:dest[:sync|seed] with dest relative to the target's root, comma-separated"`
	SharedPaths    string `envconfig:"CLONE_SHARED_PATHS" desc:"files or directories shared by all targets, local:dest[:sync|seed] with an absolute dest on the standby, comma-separated"`
	ACMESource     string `envconfig:"CLONE_ACME_SOURCE" desc:"the primary ingress's ACME store (Traefik's acme.json), merged into the standby's for targets with _CERT_COPY"`
	ACMERemote     string `envconfig:"CLONE_ACME_REMOTE" desc:"the standby ingress's ACME store the certificates are merged into"`
	IngressRoot    string `envconfig:"CLONE_INGRESS_ROOT" desc:"the standby ingress's compose directory (stopped and started around the certificate merge)"`
	IngressProject string `envconfig:"CLONE_INGRESS_PROJECT" default:"traefik" desc:"its compose project name"`
	IngressCompose string `envconfig:"CLONE_INGRESS_COMPOSE" default:"docker-compose.yml" desc:"its compose file"`
	Images         List   `envconfig:"CLONE_IMAGES" desc:"image repositories whose versions the standby pins to the primary's (by digest), comma-separated, e.g. netbirdio/management,netbirdio/signal"`
	DockerSocket   string `envconfig:"CLONE_DOCKER_SOCKET" default:"/var/run/docker.sock" desc:"the primary's Docker socket, read for those digests (not mounted = the standby keeps its own versions)"`
	MinRows        string `envconfig:"CLONE_MIN_ROWS" default:"accounts:1,peers:1" desc:"table:rows a snapshot must hold at least, comma-separated; a smaller one is refused (set empty: no minimum)"`
	Keep           Count  `envconfig:"CLONE_KEEP_SNAPSHOTS" default:"3" desc:"rollback snapshots kept per target on the standby (at least 1)"`
	FailoverTarget string `envconfig:"CLONE_FAILOVER_TARGET" desc:"the target failover.sh starts (empty = the first without _AUTOSTART, else the first)"`
	EmailTo        List   `envconfig:"CLONE_EMAIL_TO" desc:"where a failed scheduled clone is mailed (empty = BACKUP_EMAIL_TO, then SMTP_TO)"`
	CAFile         string `envconfig:"CLONE_CA_FILE" desc:"PEM file of a CA verify trusts besides the system's, for certificates of a private CA (empty = the system's and NB_CA_FILE)"`
}

// fill gives a set-but-empty variable its default, as the old tool did.
func (c *Clone) fill() {
	fillEmpty(defaulted{&c.Strict, "accept-new"}, defaulted{&c.StageDir, "/var/tmp/birdseye-clone-stage"}, defaulted{&c.DBSubdir, "data/netbird"},
		defaulted{&c.IngressProject, "traefik"}, defaulted{&c.IngressCompose, "docker-compose.yml"}, defaulted{&c.DockerSocket, "/var/run/docker.sock"})
}

// Missing names what the clone needs and is not set.
func (c Clone) Missing() []string {
	return unset(setting{"CLONE_SSH_HOST", c.Host}, setting{"CLONE_TARGETS", c.Targets}, setting{"CLONE_DB_PATHS", c.DBPaths.String()})
}

var cloneExpected = map[string]string{
	"CLONE_SSH_HOST": "user@host of the standby, e.g. root@standby.example.com",
	"CLONE_TARGETS":  "the stacks on the standby, e.g. standby (with CLONE_STANDBY_ROOT=/opt/netbird-standby)",
	"CLONE_DB_PATHS": "the primary's databases inside the container, e.g. /netbird/data/store.db,/netbird/data/events.db",
}

// Require reports each of these variables that is not set, with the form
// it expects.
func (c Clone) Require(names ...string) error {
	return requireSet(c.Missing(), cloneExpected, names)
}

// CloneAction is a kind of clone command, by what it needs: staging reads
// the databases; the other actions only reach the standby; verify only its
// API; a dry run of stage stages here and connects to nothing.
type CloneAction int

const (
	CloneEverything CloneAction = iota // run, stage
	CloneStandby                       // install, drill, failover, status, rollback
	CloneTargets                       // verify
	CloneStageHere                     // stage --dry-run
)

// RequireFor reports what an action lacks: its variables, each with the
// form it expects, and where the standby is unless it stages here only.
func (c Clone) RequireFor(a CloneAction) error {
	need := map[CloneAction][]string{
		CloneEverything: {"CLONE_SSH_HOST", "CLONE_TARGETS", "CLONE_DB_PATHS"},
		CloneStandby:    {"CLONE_SSH_HOST", "CLONE_TARGETS"},
		CloneTargets:    {"CLONE_TARGETS"},
		CloneStageHere:  {"CLONE_TARGETS", "CLONE_DB_PATHS"},
	}[a]
	if err := c.Require(need...); err != nil {
		return err
	}
	if c.Host == "" && c.StandbyIP == "" && a != CloneStageHere {
		return &Error{Var: "CLONE_STANDBY_IP", Msg: "is not set, nor CLONE_SSH_HOST: nothing says where the standby is; expected its address, e.g. 203.0.113.7"}
	}
	return nil
}

var tableRows = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*:[0-9]+$`)

// Validate checks what is set, reporting every problem. The targets and
// the path lists are checked where they are read (Stacks, TargetPathList,
// SharedPathList, Failover), with the same kind of message.
func (c Clone) Validate() error {
	var errs []error
	if c.Key != "" {
		if _, err := os.Stat(c.Key); err != nil {
			errs = append(errs, &Error{Var: "CLONE_SSH_KEY", Msg: fmt.Sprintf("=%s does not exist inside the container; expected the path of a mounted private key, e.g. /run/secrets/standby_key", c.Key)})
		}
	}
	if c.CAFile != "" {
		if _, err := os.Stat(c.CAFile); err != nil {
			errs = append(errs, &Error{Var: "CLONE_CA_FILE", Msg: fmt.Sprintf("=%s does not exist inside the container; expected a mounted PEM file", c.CAFile)})
		}
	}
	errs = append(errs, sshErrors("CLONE", c.Strict, c.Port)...)
	if c.Keep < 1 {
		errs = append(errs, &Error{Var: "CLONE_KEEP_SNAPSHOTS", Msg: "=0 would leave no rollback snapshot; expected at least 1"})
	}
	for _, item := range SplitComma(c.MinRows) {
		if !tableRows.MatchString(item) {
			errs = append(errs, &Error{Var: "CLONE_MIN_ROWS", Msg: fmt.Sprintf("has %q; expected table:rows items, e.g. accounts:1,peers:1", item)})
		}
	}
	if ip := c.StandbyIP; ip != "" {
		host := ip
		if h, _, err := net.SplitHostPort(ip); err == nil {
			host = h
		}
		if net.ParseIP(host) == nil {
			errs = append(errs, &Error{Var: "CLONE_STANDBY_IP", Msg: fmt.Sprintf("=%q is not an IP address; expected e.g. 203.0.113.7 (optionally with :port)", ip)})
		}
	}
	for _, v := range []struct{ name, val string }{{"CLONE_PAYLOAD_DIR", c.PayloadDir}, {"CLONE_ACME_REMOTE", c.ACMERemote}, {"CLONE_INGRESS_ROOT", c.IngressRoot}} {
		if v.val != "" && !strings.HasPrefix(v.val, "/") {
			errs = append(errs, &Error{Var: v.name, Msg: fmt.Sprintf("=%q is not an absolute path on the standby; expected e.g. /opt/...", v.val)})
		}
	}
	if (c.ACMERemote == "") != (c.IngressRoot == "") && c.ACMESource != "" {
		errs = append(errs, &Error{Var: "CLONE_ACME_REMOTE", Msg: "and CLONE_INGRESS_ROOT go together: the ingress is stopped while its store is merged; expected both or neither"})
	}
	errs = append(errs, addressErrors("CLONE_EMAIL_TO", c.EmailTo)...)
	errs = append(errs, c.refusePostgresStore())
	return Join(errs...)
}
