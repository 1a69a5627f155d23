package changes

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/state"
)

// Report writes the changes of a period for people: one entry per change
// with who made it and every field before and after. It is the output of
// `birdseye changes` and the body of the CHANGE_REPORT mail.
func Report(w io.Writer, recs []Record, from, to time.Time, loc *time.Location) {
	const layout = "2006-01-02 15:04"
	fmt.Fprintf(w, "Configuration changes %s – %s (%s): %d\n", from.In(loc).Format(layout), to.In(loc).Format(layout), loc, len(recs))
	who := map[string]int{}
	for _, r := range recs {
		who[r.Initiator]++
	}
	if len(who) > 0 {
		var parts []string
		for _, r := range recs { // in order of first change
			if n, ok := who[r.Initiator]; ok {
				parts = append(parts, fmt.Sprintf("%s %d", r.Initiator, n))
				delete(who, r.Initiator)
			}
		}
		fmt.Fprintf(w, "By: %s\n", strings.Join(parts, ", "))
	}
	for _, r := range recs {
		name := r.Name
		if name == "" {
			name = r.ObjectID
		}
		at := r.EventAt // when the change was made; older records have only when it was recorded
		if at.IsZero() {
			at = r.At
		}
		fmt.Fprintf(w, "\n%s  %s  by %s  %s '%s'\n", at.In(loc).Format("2006-01-02 15:04:05"), r.Code, r.Initiator, r.Kind, name)
		if r.Note != "" {
			fmt.Fprintf(w, "    (%s)\n", r.Note)
		}
		for _, c := range r.Changes {
			fmt.Fprintf(w, "    %s: %s → %s\n", c.Path, orNone(c.Before), orNone(c.After))
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// Sender mails one text; *email.Sink is one.
type Sender interface {
	Send(ctx context.Context, subject, body string) error
}

type reportMark struct {
	SentUntil time.Time `json:"sent_until"`
}

// MailReport mails the changes recorded in dir since the previous report
// (a week back the first time) up to now, and remembers how far it got
// only once the mail is out, so a failed mail is not a gap. It is the
// CHANGE_REPORT job: evidence of what changed and who changed it.
func MailReport(ctx context.Context, dir string, mail Sender, loc *time.Location, now time.Time) (int, error) {
	markFile := filepath.Join(dir, "change-report.json")
	from := now.Add(-7 * 24 * time.Hour)
	if raw, err := os.ReadFile(markFile); err == nil {
		var m reportMark
		if json.Unmarshal(raw, &m) == nil && !m.SentUntil.IsZero() {
			from = m.SentUntil
		}
	}
	all, err := ReadLog(filepath.Join(dir, "changes.jsonl"), from)
	if err != nil {
		return 0, fmt.Errorf("read the change log: %w", err)
	}
	var recs []Record
	for _, r := range all {
		if r.At.Before(now) {
			recs = append(recs, r)
		}
	}
	var body strings.Builder
	Report(&body, recs, from, now, loc)
	noun := "changes"
	if len(recs) == 1 {
		noun = "change"
	}
	subject := fmt.Sprintf("[NetBird] %d configuration %s (%s – %s)", len(recs), noun, from.In(loc).Format("2006-01-02"), now.In(loc).Format("2006-01-02"))
	if err := mail.Send(ctx, subject, body.String()); err != nil {
		return 0, fmt.Errorf("mail the change report: %w", err)
	}
	raw, _ := json.Marshal(reportMark{SentUntil: now})
	if err := state.WriteAtomic(markFile, raw); err != nil {
		return len(recs), fmt.Errorf("change report sent, but not remembered (the next one repeats it): %w", err)
	}
	return len(recs), nil
}
