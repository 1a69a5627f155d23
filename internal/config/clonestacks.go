package config

import (
	"fmt"
	"os"
	"path"
	"regexp"
	"strings"

	"github.com/styliteag/birdseye/internal/nburl"
)

// CloneStack is one stack on the standby the clone is installed into
// (CLONE_TARGETS, each with CLONE_<NAME>_* variables), as read here; the
// clone package's Target is made from it.
type CloneStack struct {
	Name      string
	Root      string // the stack's directory on the standby
	Project   string // docker compose project name
	Compose   string // compose file, relative to Root
	Host      string // the name it answers for; the primary's unless set
	Autostart bool   // kept running after an install (a hot standby)
	CertCopy  bool   // merge the primary's ACME certificates into the ingress
	DBDir     string // databases go to Root/DBDir
}

// Prefix is the start of the stack's variable names: CLONE_<NAME>, upper
// case, dashes as underscores.
func (t CloneStack) Prefix() string {
	return "CLONE_" + strings.ToUpper(strings.ReplaceAll(t.Name, "-", "_"))
}

var targetName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// Stacks reads CLONE_TARGETS and each target's CLONE_<NAME>_* variables:
// CLONE_DB_SUBDIR is the default of every target's _DB_DIR (the old tool
// read it and then ignored it); primaryHost is the default of _HOST. A bad
// value is a configuration error naming its variable.
func (c Clone) Stacks(primaryHost string) ([]CloneStack, error) {
	out, err := c.stacks(os.LookupEnv, primaryHost)
	if err != nil {
		return nil, cloneError(err)
	}
	for _, t := range out {
		if t.CertCopy && (c.ACMESource == "" || c.ACMERemote == "" || c.IngressRoot == "") {
			return nil, &Error{Var: t.Prefix() + "_CERT_COPY", Msg: "=true needs CLONE_ACME_SOURCE, CLONE_ACME_REMOTE and CLONE_INGRESS_ROOT (where the certificates come from and go to); expected all three, or false"}
		}
	}
	return out, nil
}

// stacks is Stacks reading the variables through get.
func (c Clone) stacks(get func(string) (string, bool), primaryHost string) ([]CloneStack, error) {
	list, dbSubdir := c.Targets, strings.Trim(c.DBSubdir, "/")
	var out []CloneStack
	seen := map[string]string{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if !targetName.MatchString(name) {
			return nil, fmt.Errorf("CLONE_TARGETS: '%s' is not a usable name; expected letters, digits, - and _ (it becomes part of CLONE_<NAME>_ROOT)", name)
		}
		t := CloneStack{Name: name}
		if other, ok := seen[t.Prefix()]; ok {
			return nil, fmt.Errorf("CLONE_TARGETS: '%s' and '%s' both read %s_* variables", other, name, t.Prefix())
		}
		seen[t.Prefix()] = name
		if err := t.read(get, primaryHost, dbSubdir); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("CLONE_TARGETS is not set — name at least one stack on the standby, e.g. CLONE_TARGETS=standby")
	}
	return out, nil
}

func (t *CloneStack) read(get func(string) (string, bool), primaryHost, dbSubdir string) error {
	p := t.Prefix()
	str := func(suffix, def string) string {
		if v, _ := get(p + suffix); strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
		return def
	}
	t.Root = strings.TrimRight(str("_ROOT", ""), "/")
	if t.Root == "" {
		return fmt.Errorf("%s_ROOT must be set for target '%s'; expected the stack's directory on the standby, e.g. /opt/netbird-standby", p, t.Name)
	}
	if !path.IsAbs(t.Root) {
		return fmt.Errorf("%s_ROOT must be an absolute path on the standby, got '%s'", p, t.Root)
	}
	t.Project = str("_PROJECT", t.Name)
	t.Compose = str("_COMPOSE", "docker-compose.yml")
	t.Host = str("_HOST", primaryHost)
	if dbSubdir == "" {
		dbSubdir = "data/netbird"
	}
	t.DBDir = strings.Trim(str("_DB_DIR", dbSubdir), "/")
	if c := path.Clean(t.DBDir); t.DBDir == "" || c == ".." || strings.HasPrefix(c, "../") {
		return fmt.Errorf("%s_DB_DIR must be a directory inside %s_ROOT, got '%s'", p, p, t.DBDir)
	}
	var err error
	if t.Autostart, err = truthy(p+"_AUTOSTART", str("_AUTOSTART", "")); err != nil {
		return err
	}
	if t.CertCopy, err = truthy(p+"_CERT_COPY", str("_CERT_COPY", "")); err != nil {
		return err
	}
	return nil
}

// truthy reads the old tool's boolean words; anything else is an error
// rather than a silent false.
func truthy(name, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "yes", "on":
		return true, nil
	case "", "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("%s is not a boolean, got '%s'; expected true or false (also 1/0, yes/no, on/off)", name, v)
}

// Primary is the primary's public name (CLONE_PRIMARY_HOST, else NB_URL's
// host when NB_URL is the public https URL) and where birdseye reaches its
// API (NB_URL without /api; empty when NB_URL is not set).
func (c Clone) Primary(nb NetBird) (host, api string, err error) {
	host = strings.TrimSpace(c.PrimaryHost)
	if strings.TrimSpace(nb.URL) != "" {
		u, err := nburl.Normalise(nb.URL)
		if err != nil {
			return "", "", &Error{Var: "NB_URL", Msg: err.Error() + "; expected the primary's management URL, e.g. https://netbird.example.com"}
		}
		u.Path = strings.TrimSuffix(u.Path, "/api")
		api = u.String()
		if host == "" && u.Scheme == "http" {
			// Reached on the Docker network (http://management:80): that
			// name is not the one clients use, nor the standby's.
			return "", "", &Error{Var: "CLONE_PRIMARY_HOST", Msg: "is not set and NB_URL=" + nb.URL + " is an internal address; expected the primary's public name, e.g. netbird.example.com"}
		}
		if host == "" {
			host = u.Hostname()
		}
	}
	if host == "" {
		return "", "", &Error{Var: "NB_URL", Msg: "must be set (it names the primary this clone is made from); expected e.g. https://netbird.example.com"}
	}
	return host, api, nil
}

// cloneError makes a stack's error, which starts with its variable's name,
// a configuration error naming that variable.
func cloneError(err error) error {
	msg := err.Error()
	i := strings.IndexAny(msg, " :=")
	if i <= 0 {
		return &Error{Var: "CLONE_TARGETS", Msg: msg}
	}
	return &Error{Var: msg[:i], Msg: strings.TrimPrefix(strings.TrimPrefix(msg[i:], ":"), " ")}
}
