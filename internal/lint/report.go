package lint

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/state"
)

// key is what makes a finding the same one from one run to the next: the
// check and the object (its id, or its name where it has none).
func (f Finding) key() string {
	obj := f.ID
	if obj == "" {
		obj = f.Name
	}
	return f.Check + "|" + f.Kind + "|" + obj
}

// Diff is what is new in cur and what of prev is gone.
func Diff(prev, cur []Finding) (added, resolved []Finding) {
	was, is := map[string]bool{}, map[string]bool{}
	for _, f := range prev {
		was[f.key()] = true
	}
	for _, f := range cur {
		is[f.key()] = true
		if !was[f.key()] {
			added = append(added, f)
		}
	}
	for _, f := range prev {
		if !is[f.key()] {
			resolved = append(resolved, f)
		}
	}
	return added, resolved
}

// Kept is the last report's findings, kept beside the state file.
type Kept struct {
	At       time.Time `json:"at"`
	Findings []Finding `json:"findings"`
}

// LoadKept reads it; none there is a first report.
func LoadKept(path string) (Kept, error) {
	var k Kept
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return k, nil
	}
	if err == nil {
		err = json.Unmarshal(b, &k)
	}
	if err != nil {
		return Kept{}, fmt.Errorf("read %s: %w", path, err)
	}
	return k, nil
}

// Save writes it atomically.
func (k Kept) Save(path string) error {
	b, err := json.Marshal(k)
	if err != nil {
		return err
	}
	return state.WriteAtomic(path, b)
}

// WriteChanges writes what changed since the previous report (for the
// weekly mail), then the whole report as a table.
func WriteChanges(w io.Writer, r Report, prev Kept, loc *time.Location) error {
	added, resolved := Diff(prev.Findings, r.Findings)
	if prev.At.IsZero() {
		fmt.Fprintf(w, "The first lint report: %s.\n", r.Count())
	} else {
		fmt.Fprintf(w, "Since the report of %s: %d new, %d resolved; now %s.\n", prev.At.In(loc).Format("2006-01-02 15:04"), len(added), len(resolved), r.Count())
		section(w, "New", added)
		section(w, "Resolved", resolved)
	}
	fmt.Fprintln(w, "\nEvery finding:")
	fmt.Fprintln(w)
	return r.WriteTable(w)
}

func section(w io.Writer, title string, fs []Finding) {
	if len(fs) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s:\n", title)
	for _, f := range fs {
		fmt.Fprintf(w, "  %-8s %s: %s %s (%s)\n", f.Severity, f.Check, f.Kind, oneLine(f.Name), oneLine(f.Detail))
	}
}

// Subject is the report mail's subject.
func Subject(r Report, prev Kept) string {
	added, resolved := Diff(prev.Findings, r.Findings)
	s := "[NetBird] lint: " + r.Count()
	if !prev.At.IsZero() {
		s += fmt.Sprintf(" (%d new, %d resolved)", len(added), len(resolved))
	}
	return strings.TrimSpace(s)
}
