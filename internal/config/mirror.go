package config

import (
	"fmt"

	"github.com/styliteag/birdseye/internal/nburl"
)

// Mirror is `birdseye mirror`: the Python tool's MIRROR_* variables. The
// source is NB_URL with NB_API_KEY, only ever read.
type Mirror struct {
	URL         string `envconfig:"MIRROR_URL" desc:"management URL of the controller kept in step with NB_URL (birdseye mirror)"`
	APIKey      Secret `envconfig:"MIRROR_API_KEY" desc:"admin token of that controller"`
	Apply       Bool   `envconfig:"MIRROR_APPLY" default:"false" desc:"the scheduled mirror (CRON_MIRROR_ACCOUNT) writes to the target; false: a dry run that only reports (by hand, --apply writes)"`
	Prune       Bool   `envconfig:"MIRROR_PRUNE" default:"true" desc:"delete what the target has and the source does not (--no-prune turns it off once)"`
	CreateUsers Bool   `envconfig:"MIRROR_CREATE_USERS" default:"false" desc:"create the users the target lacks: service users are created, people invited (as --create-users)"`
	Sections    List   `envconfig:"MIRROR_SECTIONS" desc:"comma-separated sections to mirror (empty = every section birdseye mirrors)"`
	Protected   string `envconfig:"MIRROR_PROTECTED_GROUPS" default:"All" desc:"comma-separated group names never created, changed or deleted on the target (empty = All)"`
	SnapshotDir string `envconfig:"MIRROR_SNAPSHOT_DIR" default:"/var/lib/birdseye/mirror" desc:"where a dump of the target is written before the first change (set empty: none)"`
	Source      string `envconfig:"MIRROR_SOURCE" desc:"a document of birdseye export --by-name, or a directory of them, that the scheduled mirror applies instead of NB_URL's account (a git checkout mounted into the container: GitOps); read again at every run"`
}

// ProtectedGroups is MIRROR_PROTECTED_GROUPS, All when empty, as the old tool.
func (m Mirror) ProtectedGroups() []string {
	if g := SplitComma(m.Protected); len(g) > 0 {
		return g
	}
	return []string{"All"}
}

// Require names MIRROR_URL and MIRROR_API_KEY when unset.
func (m Mirror) Require() error {
	var errs []error
	if m.URL == "" {
		errs = append(errs, &Error{Var: "MIRROR_URL", Msg: "is not set; expected the management URL of the controller to keep in step, e.g. https://netbird-standby.example.com"})
	} else if _, err := nburl.Normalise(m.URL); err != nil {
		errs = append(errs, &Error{Var: "MIRROR_URL", Msg: fmt.Sprintf("=%q %v; expected the management URL of the controller to keep in step, e.g. https://netbird-standby.example.com", m.URL, err)})
	}
	if m.APIKey == "" && !fileGiven("MIRROR_API_KEY") {
		errs = append(errs, &Error{Var: "MIRROR_API_KEY", Msg: "is not set (nor MIRROR_API_KEY_FILE); expected an admin token of that controller"})
	}
	return Join(errs...)
}
