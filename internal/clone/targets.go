package clone

import (
	"fmt"
	"strings"
)

// Target is one stack on the standby the clone is installed into
// (CLONE_TARGETS, each with CLONE_<NAME>_* variables).
type Target struct {
	Name      string
	Root      string // the stack's directory on the standby
	Project   string // docker compose project name
	Compose   string // compose file, relative to Root
	Host      string // the name it answers for; the primary's unless set
	Autostart bool   // kept running after an install (a hot standby)
	CertCopy  bool   // merge the primary's ACME certificates into the ingress
	DBDir     string // databases go to Root/DBDir
}

// Prefix is the start of the target's variable names: CLONE_<NAME>, upper
// case, dashes as underscores.
func (t Target) Prefix() string {
	return "CLONE_" + strings.ToUpper(strings.ReplaceAll(t.Name, "-", "_"))
}

// Find returns the target of that name.
func Find(targets []Target, name string) (Target, error) {
	for _, t := range targets {
		if t.Name == name {
			return t, nil
		}
	}
	return Target{}, fmt.Errorf("unknown target '%s'; configured: %s", name, names(targets))
}

func names(targets []Target) string {
	n := make([]string, len(targets))
	for i, t := range targets {
		n[i] = t.Name
	}
	return strings.Join(n, ", ")
}
