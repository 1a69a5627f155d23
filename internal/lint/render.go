package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Report is a run's findings, what could not be read, and how many
// checks ran.
type Report struct {
	Findings []Finding `json:"findings"`
	Gaps     []string  `json:"gaps,omitempty"`
	Checks   int       `json:"checks_run"`
}

// Count is how many findings each severity has, most severe first.
func (r Report) Count() string {
	var parts []string
	for s := Critical; s >= Info; s-- {
		n := 0
		for _, f := range r.Findings {
			if f.Severity == s {
				n++
			}
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	if len(parts) == 0 {
		return "no findings"
	}
	return strings.Join(parts, ", ")
}

// AtLeast is whether a finding is at or above s.
func (r Report) AtLeast(s Severity) bool {
	for _, f := range r.Findings {
		if f.Severity >= s {
			return true
		}
	}
	return false
}

// byCheck is each check's findings, in report order.
func (r Report) byCheck() (order []string, by map[string][]Finding) {
	by = map[string][]Finding{}
	for _, f := range r.Findings {
		if _, ok := by[f.Check]; !ok {
			order = append(order, f.Check)
		}
		by[f.Check] = append(by[f.Check], f)
	}
	return order, by
}

// WriteJSON writes the report as one JSON document.
func (r Report) WriteJSON(w io.Writer) error {
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteTable writes a line per finding, then each check's why and fix.
func (r Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(r.Findings) > 0 {
		fmt.Fprintln(tw, "SEVERITY\tCHECK\tKIND\tNAME\tDETAIL")
		for _, f := range r.Findings {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Severity, f.Check, f.Kind, oneLine(f.Name), oneLine(f.Detail))
		}
	}
	tw.Flush()
	order, by := r.byCheck()
	for _, id := range order {
		f := by[id][0]
		fmt.Fprintf(w, "\n%s (%s): %s\n  fix: %s\n", id, f.Severity, f.Why, f.Fix)
	}
	for _, g := range r.Gaps {
		fmt.Fprintf(w, "\nnot checked: %s\n", g)
	}
	_, err := fmt.Fprintf(w, "\n%d checks: %s\n", r.Checks, r.Count())
	return err
}

// WriteMarkdown writes the report for a wiki page, a mail or a ticket:
// each check with its why and fix, and its findings.
func (r Report) WriteMarkdown(w io.Writer) error {
	fmt.Fprintf(w, "# NetBird configuration lint\n\n%d checks: **%s**.\n", r.Checks, r.Count())
	order, by := r.byCheck()
	for _, id := range order {
		fs := by[id]
		fmt.Fprintf(w, "\n## %s `%s`\n\n%s\n\n**Fix:** %s\n\n", strings.ToUpper(fs[0].Severity.String()), id, fs[0].Why, fs[0].Fix)
		for _, f := range fs {
			fmt.Fprintf(w, "- %s **%s**: %s\n", f.Kind, mdEscape(f.Name), mdEscape(f.Detail))
		}
	}
	for _, g := range r.Gaps {
		fmt.Fprintf(w, "\n_Not checked: %s_\n", g)
	}
	return nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// mdEscape keeps names from the account inert in Markdown.
func mdEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", "&lt;", ">", "&gt;", "#", `\#`, "|", `\|`).Replace(oneLine(s))
}
