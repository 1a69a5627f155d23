// Package lint checks a NetBird account's configuration for what makes a
// network unsafe or brittle (an All-to-All accept policy, reusable setup
// keys that never expire, admins' long-lived tokens, routes without a
// healthy router …), read-only, and says for each finding why it matters
// and how to fix it. Each check has an id; a finding is silenced by
// skipping its check (LINT_SKIP, --skip) or by a marker in the object's
// description: LINT_IGNORE (every check) or LINT_IGNORE=id,id.
package lint

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird"
)

// Severity orders findings.
type Severity int

// The severities, least first.
const (
	Info Severity = iota
	Low
	Medium
	High
	Critical
)

var severityNames = []string{"info", "low", "medium", "high", "critical"}

func (s Severity) String() string { return severityNames[s] }

// MarshalText writes the name, for JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the name back.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// ParseSeverity reads a severity's name.
func ParseSeverity(name string) (Severity, error) {
	if i := slices.Index(severityNames, strings.ToLower(strings.TrimSpace(name))); i >= 0 {
		return Severity(i), nil
	}
	return 0, fmt.Errorf("%q is not a severity; expected one of %s", name, strings.Join(severityNames, ", "))
}

// Finding is one thing a check found.
type Finding struct {
	Check    string   `json:"check"`
	Severity Severity `json:"severity"`
	Kind     string   `json:"kind"` // policy, setup key, peer …
	Name     string   `json:"name"`
	ID       string   `json:"id,omitempty"`
	Detail   string   `json:"detail"`
	Why      string   `json:"why"`
	Fix      string   `json:"fix"`
}

// Account is what the checks read.
type Account struct {
	Policies      []netbird.Policy
	Groups        []netbird.Group
	Peers         []netbird.Peer
	Users         []netbird.User
	Tokens        map[string][]netbird.Token // by user id; a user missing was not readable
	SetupKeys     []netbird.SetupKey
	PostureChecks []netbird.PostureCheck
	Nameservers   []Nameserver
	Routes        []Route
	Settings      netbird.AccountSettings
	// PolicyEvents are the audit log's policy.add and policy.update events
	// (the server's window), for how long a policy has been as it is.
	PolicyEvents []event.Event
}

// Nameserver is the part of a nameserver group the checks read.
type Nameserver struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Enabled     bool     `json:"enabled"`
	Groups      []string `json:"groups"`
	Primary     bool     `json:"primary"`
	Domains     []string `json:"domains"`
}

// Route is the part of a route the checks read.
type Route struct {
	ID          string   `json:"id"`
	NetworkID   string   `json:"network_id"`
	Description string   `json:"description"`
	Enabled     bool     `json:"enabled"`
	Peer        string   `json:"peer"`
	PeerGroups  []string `json:"peer_groups"`
}

// Options tune the checks.
type Options struct {
	Now          time.Time
	StaleDays    int      // a peer not seen this long is stale (LINT_STALE_DAYS)
	DisabledDays int      // a policy disabled this long is dead weight
	Skip         []string // check ids not run (LINT_SKIP, --skip)
}

// Check is one check of the account.
type Check struct {
	ID       string
	Severity Severity
	Title    string
	Why      string
	Fix      string
	run      func(a *Account, o Options, f *finder)
}

// finder collects a check's findings, leaving out silenced objects.
type finder struct {
	c   Check
	out []Finding
}

// add records a finding about an object; description is the object's own
// (where it has one), for the LINT_IGNORE marker.
func (f *finder) add(kind, name, id, description, detail string) {
	if ignored(description, f.c.ID) {
		return
	}
	f.out = append(f.out, Finding{Check: f.c.ID, Severity: f.c.Severity, Kind: kind, Name: name, ID: id, Detail: detail, Why: f.c.Why, Fix: f.c.Fix})
}

// ignored reads the marker: LINT_IGNORE silences every check,
// LINT_IGNORE=a,b those named.
func ignored(description, check string) bool {
	i := strings.Index(description, "LINT_IGNORE")
	if i < 0 {
		return false
	}
	rest := description[i+len("LINT_IGNORE"):]
	if !strings.HasPrefix(rest, "=") {
		return true
	}
	list := strings.Fields(strings.TrimPrefix(rest, "="))
	if len(list) == 0 {
		return true
	}
	return slices.Contains(strings.Split(list[0], ","), check)
}

// Run runs every check not skipped; findings come most severe first, in
// the checks' order within a severity.
func Run(a *Account, o Options) []Finding {
	var out []Finding
	for _, c := range Checks {
		if slices.Contains(o.Skip, c.ID) {
			continue
		}
		f := &finder{c: c}
		c.run(a, o, f)
		out = append(out, f.out...)
	}
	slices.SortStableFunc(out, func(x, y Finding) int { return int(y.Severity) - int(x.Severity) })
	return out
}

// Known reports whether id names a check.
func Known(id string) bool {
	return slices.ContainsFunc(Checks, func(c Check) bool { return c.ID == id })
}
