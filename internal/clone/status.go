package clone

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/sshremote"
)

// FileState is one database installed in a target.
type FileState struct {
	Name     string    `json:"name"`
	Bytes    int64     `json:"bytes"`
	Modified time.Time `json:"modified"`
}

// TargetStatus is one stack on the standby.
type TargetStatus struct {
	Name      string      `json:"name"`
	Root      string      `json:"root"`
	Databases []FileState `json:"databases"`
	Snapshots []string    `json:"snapshots"` // newest first, at most 3
	Compose   string      `json:"compose"`   // `ps` output, or why it failed
	Advice    string      `json:"advice,omitempty"`
	// Live is when failover.sh made it the live server ("" = a standby).
	Live string `json:"live,omitempty"`
	// Installed is install.sh's record: installed, staging, snapshot, and
	// after a rollback rolled_back and from_snapshot.
	Installed map[string]string `json:"installed,omitempty"`
}

// Status is `clone status`: what is staged and installed on the standby.
type Status struct {
	Staged       *Manifest      `json:"staged,omitempty"`
	Problem      string         `json:"problem,omitempty"`
	Certificates []string       `json:"certificates,omitempty"` // main domains, never keys
	Ingress      string         `json:"ingress,omitempty"`      // the ingress's `ps`, when one is configured
	Targets      []TargetStatus `json:"targets"`
	// Ready says whether the failover target holds an installed clone;
	// Verdict is the one line to act on.
	Ready   bool   `json:"ready"`
	Verdict string `json:"verdict"`
}

// ps is a stack's `docker compose ps`, or why it could not be had.
func (s Standby) ps(ctx context.Context, t Target) string {
	var out bytes.Buffer
	if err := s.Shell.Stream(ctx, "bash -c "+sshremote.Quote(t.composeEnv()+"dc ps"), &out); err != nil {
		return "cannot ask docker compose: " + strings.TrimSpace(out.String())
	}
	return strings.TrimRight(out.String(), "\n")
}

// Judge sets the verdict for the failover target: installed or not, from
// which staging and how long ago, and what to do next.
func (st *Status) Judge(failover Target, now time.Time) {
	st.Ready = false
	for _, t := range st.Targets {
		if t.Name != failover.Name {
			continue
		}
		switch {
		case t.Live != "":
			st.Verdict = fmt.Sprintf("LIVE: %s is the live server since %s (failover.sh ran there), not a standby; install, drill, run and rollback leave it alone unless given --after-failover", t.Name, t.Live)
		case len(t.Databases) == 0:
			st.Verdict = "NOT READY: the failover target " + t.Name + " has no databases installed; " + t.Advice
		case st.Staged == nil:
			st.Verdict = "NOT READY: nothing is staged on the standby (" + st.Problem + ")"
		default:
			st.Ready = true
			st.Verdict = fmt.Sprintf("ready: %s holds %s; prove it with: birdseye clone drill %s", t.Name, t.installedText(now), t.Name)
		}
		return
	}
	st.Verdict = "NOT READY: the failover target " + failover.Name + " is not among the targets"
}

// installedText is what the target holds, from install.sh's record (the
// databases' times change with every drill, so they are the last resort).
func (t TargetStatus) installedText(now time.Time) string {
	when, err := time.Parse(time.RFC3339, t.Installed["installed"])
	if err != nil {
		when = t.Databases[0].Modified
		for _, d := range t.Databases {
			if d.Modified.After(when) {
				when = d.Modified
			}
		}
	}
	staging := t.Installed["staging"]
	if staging == "" {
		staging = "an unrecorded staging"
	} else {
		staging = "the staging of " + staging
	}
	text := fmt.Sprintf("the clone installed %s (%s ago) from %s", when.UTC().Format("2006-01-02 15:04"), age(now.Sub(when)), staging)
	if rb := t.Installed["rolled_back"]; rb != "" {
		text += fmt.Sprintf(", put back by a rollback at %s from snapshot %s", rb, t.Installed["from_snapshot"])
	}
	return text
}

// readMarks reads the target's live mark and install record.
func (s Standby) readMarks(t Target, ts *TargetStatus) {
	ts.Live = s.LiveSince(t)
	f, err := s.Shell.SFTP().Open(path.Join(t.Root, InstalledMark))
	if err != nil {
		return
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 4096))
	ts.Installed = map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			ts.Installed[k] = v
		}
	}
}

// Status reads the standby; nothing there is changed. acmeRemote is
// CLONE_ACME_REMOTE ("" = no ingress store to show), ingress the ingress's
// stack (Root "" = none).
func (s Standby) Status(ctx context.Context, targets []Target, acmeRemote string, ingress Stack) *Status {
	st := &Status{}
	m, err := s.Manifest()
	if err != nil {
		st.Problem = err.Error()
	} else {
		m.Files = nil // hundreds of lines nobody reads here
		st.Staged = m
	}
	fs := s.Shell.SFTP()
	if acmeRemote != "" {
		if f, err := fs.Open(acmeRemote); err == nil {
			b, _ := io.ReadAll(io.LimitReader(f, 16<<20))
			f.Close()
			st.Certificates, _ = CertDomains(b)
		}
	}
	if ingress.Root != "" {
		st.Ingress = s.ps(ctx, Target{Root: ingress.Root, Project: ingress.Project, Compose: ingress.Compose})
	}
	for _, t := range targets {
		ts := TargetStatus{Name: t.Name, Root: t.Root, Databases: []FileState{}, Snapshots: []string{}}
		if entries, err := fs.ReadDir(path.Join(t.Root, t.DBDir)); err == nil {
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".db") {
					ts.Databases = append(ts.Databases, FileState{Name: e.Name(), Bytes: e.Size(), Modified: e.ModTime().UTC()})
				}
			}
		}
		if entries, err := fs.ReadDir(path.Join(t.Root, "snapshots")); err == nil {
			for _, e := range entries {
				if e.IsDir() {
					ts.Snapshots = append(ts.Snapshots, e.Name())
				}
			}
			slices.Sort(ts.Snapshots)
			slices.Reverse(ts.Snapshots)
			ts.Snapshots = ts.Snapshots[:min(3, len(ts.Snapshots))]
		}
		s.readMarks(t, &ts)
		ts.Compose = s.ps(ctx, t)
		switch {
		case len(ts.Databases) == 0 && st.Staged != nil:
			ts.Advice = "nothing installed yet: run birdseye clone install " + t.Name
		case len(ts.Databases) == 0:
			ts.Advice = "nothing installed yet: run birdseye clone stage, then birdseye clone install " + t.Name
		}
		st.Targets = append(st.Targets, ts)
	}
	return st
}

// age is a duration as a person reads it: 40s, 12m, 5h, 3d.
func age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", max(0, int(d.Seconds())))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// Text is the status in one screen.
func (st *Status) Text(w io.Writer) {
	if st.Staged != nil {
		fmt.Fprintf(w, "staged:  %s from %s for %s\n", st.Staged.Created, st.Staged.SourceHost, st.Staged.Primary)
		fmt.Fprintf(w, "holds:   %s\n", countsText(st.Staged.Counts))
	} else {
		fmt.Fprintf(w, "staged:  %s\n", st.Problem)
	}
	if len(st.Certificates) > 0 {
		fmt.Fprintf(w, "certificates in the ingress: %s\n", strings.Join(st.Certificates, ", "))
	}
	if st.Ingress != "" {
		fmt.Fprintln(w, "ingress:")
		for _, line := range strings.Split(st.Ingress, "\n") {
			fmt.Fprintf(w, "  | %s\n", line)
		}
	}
	for _, t := range st.Targets {
		fmt.Fprintf(w, "\n%s  (%s)\n", t.Name, t.Root)
		if t.Live != "" {
			fmt.Fprintf(w, "  LIVE since %s: failover.sh made it the live server\n", t.Live)
		}
		if t.Installed["installed"] != "" {
			fmt.Fprintf(w, "  installed %s from the staging of %s (rollback snapshot %s)\n", t.Installed["installed"], t.Installed["staging"], t.Installed["snapshot"])
		}
		if t.Installed["rolled_back"] != "" {
			fmt.Fprintf(w, "  rolled back %s to snapshot %s\n", t.Installed["rolled_back"], t.Installed["from_snapshot"])
		}
		for _, d := range t.Databases {
			fmt.Fprintf(w, "  %-14s %7.1f MB  modified %s\n", d.Name, float64(d.Bytes)/1e6, d.Modified.Format("2006-01-02 15:04"))
		}
		if len(t.Snapshots) > 0 {
			fmt.Fprintf(w, "  rollback snapshots: %s\n", strings.Join(t.Snapshots, ", "))
		}
		for _, line := range strings.Split(t.Compose, "\n") {
			fmt.Fprintf(w, "  | %s\n", line)
		}
		if t.Advice != "" {
			fmt.Fprintf(w, "  -> %s\n", t.Advice)
		}
	}
	if st.Verdict != "" {
		fmt.Fprintf(w, "\n%s\n", st.Verdict)
	}
}
