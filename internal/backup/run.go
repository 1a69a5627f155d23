package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/export"
	"github.com/styliteag/birdseye/internal/retention"
	"github.com/styliteag/birdseye/internal/target"
)

// Mailer sends a mail with an optional attachment; *email.Sink is one.
type Mailer interface {
	SendTo(ctx context.Context, to []string, subject, body, attach string) error
}

// ByNameFile is the by-name document's place in the API export archive.
const ByNameFile = "export/netbird-config.yaml"

// RunConfig is everything `backup run` (and CRON_BACKUP_NETBIRD) uses.
type RunConfig struct {
	// Options are the archives' (paths, exclusions, label, key, hidden
	// names); empty Paths = no volume backup. OutDir is the run's own.
	Options
	Export export.API // nil = no API export
	// ByName makes the by-name document the API export archive holds
	// too (export/netbird-config.yaml); nil: none.
	ByName func(ctx context.Context) ([]byte, error)
	// Verify runs the restore check on the volume archive after writing it
	// (BACKUP_VERIFY), comparing with Live when set.
	Verify bool
	Live   Live
	// Restore restores the archive's database dumps in the check
	// (BACKUP_POSTGRES); nil names them as not checked.
	Restore DumpRestore
	// Targets get every archive too (BACKUP_TARGETS), each pruned to Keep.
	Targets  []target.Target
	NBURL    string
	Version  string
	Dir      string           // BACKUP_DIR; empty = archives live only until mailed
	Keep     retention.Policy // BACKUP_KEEP, or BACKUP_KEEP_DAILY/_WEEKLY/_MONTHLY
	MaxBytes int64            // largest encoded attachment
	Mailer   Mailer
	VolumeTo []string
	ExportTo []string
	DryRun   bool
}

// Step is how one of the two backups went.
type Step struct {
	What     string // "NetBird volume backup" or "NetBird API export"
	File     string
	Size     int64
	Encoded  int64
	Oversize bool
	Kept     string // where BACKUP_DIR keeps it
	Err      error
	Stored   []string // the targets that hold it
	// TargetErr: a target that did not take it (the archive went elsewhere).
	TargetErr error
	// KeptErr: BACKUP_DIR could not take it (a full disk); it was built in
	// a staging directory so the targets and the mail still got it.
	KeptErr error
	// Verified: the restore check passed (volume archive, BACKUP_VERIFY).
	Verified bool
}

// EncodedSize is the size of a file as a base64 mail attachment with
// 76-character lines and CRLF, which is what mail servers count.
func EncodedSize(n int64) int64 {
	enc := (n + 2) / 3 * 4
	lines := (enc + 75) / 76
	return enc + 2*lines
}

// Run makes the volume backup then the API export, each independent of the
// other, mails each (or a FAILED notice) and keeps it in Dir. It returns
// the steps and the exit code: 0 ok, 1 a step failed, 2 too big to mail.
func Run(ctx context.Context, rc RunConfig, now time.Time, log io.Writer) ([]Step, int) {
	out := rc.Dir
	if out == "" || rc.DryRun {
		tmp, err := os.MkdirTemp("", "birdseye-backup-")
		if err != nil {
			return []Step{{What: "backup", Err: err}}, 1
		}
		defer os.RemoveAll(tmp)
		out = tmp
	}
	if out == rc.Dir {
		sweepPartials(rc.Dir, now, log)
	}
	stage := &staging{}
	defer stage.remove()
	var steps []Step
	if len(rc.Paths) > 0 {
		s := Step{What: "NetBird volume backup"}
		var r *Report
		err := rc.build(out, stage, &s, log, func(dir string) (err error) {
			o := rc.Options
			o.OutDir = dir
			r, err = Volumes(ctx, o, now)
			return err
		})
		body := volumeBody(r, rc.Paths, rc.decryptHow())
		if err == nil {
			s.File, s.Size = r.File, r.Size
			for _, w := range r.Warnings {
				fmt.Fprintln(log, "warning:", w)
			}
			if rc.Verify {
				var report strings.Builder
				s.Verified, err = rc.check(ctx, r.File, &report)
				fmt.Fprint(log, report.String())
				body += "\nRestore check (the archive opened as a restore would):\n" + report.String()
			}
		}
		s.Err = err
		steps = append(steps, rc.deliver(ctx, s, "NetBird backup", rc.VolumeTo, body, now, log))
	}
	if rc.Export != nil {
		s := Step{What: "NetBird API export"}
		var r *ExportReport
		err := rc.build(out, stage, &s, log, func(dir string) (err error) {
			o := rc.Options
			o.Paths, o.Exclude, o.OutDir = nil, nil, dir
			var extra []export.File
			if rc.ByName != nil {
				// Not a reason to fail the export: the archive is whole without it.
				if doc, derr := rc.ByName(ctx); derr != nil {
					fmt.Fprintln(log, "warning: the by-name document is not in the export:", derr)
				} else {
					extra = append(extra, export.File{Name: ByNameFile, Body: doc})
				}
			}
			r, err = Export(ctx, rc.Export, o, rc.NBURL, rc.Version, now, extra...)
			return err
		})
		if err == nil {
			s.File, s.Size = r.File, r.Size
		}
		s.Err = err
		steps = append(steps, rc.deliver(ctx, s, "NetBird API export", rc.ExportTo, exportBody(r, rc.decryptHow()), now, log))
	}
	for _, s := range steps {
		if s.Verified {
			fmt.Fprintf(log, "restore check passed: %s restores\n", filepath.Base(s.File))
		}
	}
	code := 0
	for _, s := range steps {
		switch {
		case s.Err != nil, s.TargetErr != nil, s.KeptErr != nil:
			code = 1
		case s.Oversize && code == 0:
			code = 2
		}
	}
	return steps, code
}

func (rc RunConfig) subject(prefix string, now time.Time) string {
	return Subject(prefix, rc.Label, rc.NBURL, now)
}

// Subject is the old tool's subject base for the backup jobs' mails:
// [<prefix>[ <label>]] <NetBird host> <UTC date>.
func Subject(prefix, label, nbURL string, now time.Time) string {
	if label != "" {
		prefix += " " + label
	}
	host := ""
	if u, err := url.Parse(nbURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	} else if u, err := url.Parse("https://" + nbURL); err == nil {
		host = u.Hostname()
	}
	if host == "" {
		host, _ = os.Hostname()
	}
	return fmt.Sprintf("[%s] %s %s", prefix, host, now.UTC().Format("2006-01-02"))
}

// deliver keeps, mails and reports one step.
func (rc RunConfig) deliver(ctx context.Context, s Step, prefix string, to []string, body string, now time.Time, log io.Writer) Step {
	subject := rc.subject(prefix, now)
	failed := func(reason string) {
		fmt.Fprintf(log, "%s failed: %s\n", s.What, reason)
		if rc.Mailer == nil || rc.DryRun || len(to) == 0 {
			return
		}
		if err := rc.Mailer.SendTo(ctx, to, subject+" — FAILED", s.What+" failed.\n\n"+reason+"\n", ""); err != nil {
			fmt.Fprintf(log, "the FAILED mail could not be sent: %v\n", err)
		}
	}
	if s.Err != nil {
		failed(s.Err.Error())
		return s
	}
	if s.KeptErr != nil {
		body += "\nNOT kept: " + s.KeptErr.Error() + "\n"
	} else if rc.Dir != "" && !rc.DryRun {
		s.Kept = s.File
		if err := prune(rc.Dir, filepath.Base(s.File), rc.Keep); err != nil {
			fmt.Fprintf(log, "warning: pruning %s: %v\n", rc.Dir, err)
		}
	}
	name := filepath.Base(s.File)
	if !rc.DryRun {
		rc.store(ctx, &s, name, log)
	}
	if len(s.Stored) > 0 {
		body += "\nStored in: " + strings.Join(s.Stored, ", ") + "\n"
	}
	if s.TargetErr != nil {
		body += "\nNOT stored: " + s.TargetErr.Error() + "\n"
	}
	s.Encoded = EncodedSize(s.Size)
	fmt.Fprintf(log, "%s: %s, %.2f MiB (%.2f MiB encoded in a mail; limit %g MiB)\n", s.What, name, mib(s.Size), mib(s.Encoded), mib(rc.MaxBytes))
	if rc.MaxBytes > 0 && s.Encoded > rc.MaxBytes {
		s.Oversize = true
		reason := fmt.Sprintf("archive %s is %.2f MiB (%.2f MiB encoded in the mail), more than BACKUP_MAX_ATTACHMENT_MB=%g. Raise the limit, shrink BACKUP_PATHS, or keep the archives in BACKUP_DIR. Mail servers count the encoded size: Gmail takes 25 MB, many relays 10 MB.",
			name, mib(s.Size), mib(s.Encoded), mib(rc.MaxBytes))
		if s.Kept != "" {
			reason += "\nThe archive is kept in " + s.Kept + "."
		}
		if len(s.Stored) > 0 {
			reason += "\nIt is stored in: " + strings.Join(s.Stored, ", ") + "."
		}
		fmt.Fprintln(log, "too big to mail:", reason)
		if rc.Mailer != nil && !rc.DryRun && len(to) > 0 {
			if err := rc.Mailer.SendTo(ctx, to, subject+" — FAILED", s.What+" failed.\n\n"+reason+"\n", ""); err != nil {
				fmt.Fprintf(log, "the FAILED mail could not be sent: %v\n", err)
			}
		}
		return s
	}
	if rc.DryRun {
		fmt.Fprintf(log, "dry run: %s built and checked, not mailed\n", name)
		return s
	}
	if rc.Mailer == nil || len(to) == 0 {
		return s
	}
	if s.Kept != "" {
		body += "\nA copy is kept in " + s.Kept + ".\n"
	}
	body = strings.ReplaceAll(body, "<inner>", strings.TrimSuffix(name, ".zip")+".tar")
	if err := rc.Mailer.SendTo(ctx, to, subject, strings.ReplaceAll(body, "<name>", name), s.File); err != nil {
		s.Err = fmt.Errorf("mail %s: %w", name, err)
		fmt.Fprintln(log, s.Err)
		return s
	}
	fmt.Fprintf(log, "sent %s (%.2f MiB) to %s\n", name, mib(s.Size), strings.Join(to, ", "))
	return s
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// store puts the archive on every target and prunes each; a target that
// fails is reported and the others still get it.
func (rc RunConfig) store(ctx context.Context, s *Step, name string, log io.Writer) {
	kind := name[:strings.LastIndex(name, "-")+1]
	var errs []error
	for _, t := range rc.Targets {
		sweep(ctx, t, log)
		if err := t.Put(ctx, name, s.File); err != nil {
			fmt.Fprintf(log, "not stored in %s: %v\n", t, err)
			errs = append(errs, fmt.Errorf("%s: %w", t, err))
			continue
		}
		s.Stored = append(s.Stored, t.String())
		fmt.Fprintf(log, "stored in %s\n", t)
		if gone, err := target.Prune(ctx, t, []string{kind}, rc.Keep); err != nil {
			fmt.Fprintf(log, "warning: pruning %s: %v\n", t, err)
		} else if len(gone) > 0 {
			fmt.Fprintf(log, "pruned from %s: %s\n", t, strings.Join(gone, ", "))
		}
	}
	s.TargetErr = errors.Join(errs...)
}

// sweeper is a target that cleans what a killed run left there before an
// upload (S3: the parts of incomplete multipart uploads, billed and
// invisible to a listing).
type sweeper interface {
	Sweep(ctx context.Context) (int, error)
}

// sweep cleans t before an upload, whether or not the upload then works,
// and says what it did or why it could not.
func sweep(ctx context.Context, t target.Target, log io.Writer) {
	sw, ok := t.(sweeper)
	if !ok {
		return
	}
	n, err := sw.Sweep(ctx)
	if err != nil {
		fmt.Fprintf(log, "warning: %s: what a killed run left was not cleaned: %v (a lifecycle rule that aborts incomplete uploads does it too: docs/operations.md)\n", t, err)
	}
	if n > 0 {
		fmt.Fprintf(log, "%s: aborted %d incomplete uploads a killed run left\n", t, n)
	}
}

// check is the restore check of a fresh archive, opened with the key it
// was written for (a recipient's archive cannot be opened here: only its
// checksums are then known good as written, which it says).
func (rc RunConfig) check(ctx context.Context, file string, out io.Writer) (bool, error) {
	if rc.Age && len(rc.Recipients) > 0 {
		fmt.Fprintln(out, "  not opened: it is encrypted to BACKUP_AGE_RECIPIENTS, whose keys this host does not hold; check it where a key is: birdseye backup check --identity KEY FILE")
		return false, nil
	}
	r, err := CheckWith(ctx, file, Key{Password: rc.Password}, rc.Live, rc.Restore)
	if err != nil {
		fmt.Fprintf(out, "  verdict:  NOT restorable: %v\n", err)
		return false, fmt.Errorf("the restore check failed: %w", err)
	}
	var b strings.Builder
	r.Text(&b)
	for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		fmt.Fprintln(out, "  "+line)
	}
	if !r.OK() {
		return false, fmt.Errorf("the restore check failed: %s", strings.Join(r.Problems, "; "))
	}
	return true, nil
}

// decryptHow is the mails' restore instructions for the format.
func (rc RunConfig) decryptHow() string {
	switch {
	case !rc.Age && rc.HideNames:
		return "Decrypt with the password from BACKUP_ZIP_PASSWORD, then unpack the inner tar (it hides the names):\n  7z x <name> && tar xf <inner>\n(or: birdseye backup extract <name> DIR)\n"
	case !rc.Age:
		return "Decrypt with the password from BACKUP_ZIP_PASSWORD:\n  7z x <name>\n(or: birdseye backup extract <name> DIR)\n"
	case len(rc.Recipients) > 0:
		return "Decrypt with an age identity of BACKUP_AGE_RECIPIENTS (the key is not on this host):\n  age -d -i key.txt <name> | tar xz\n(or: birdseye backup extract --identity key.txt <name> DIR)\n"
	}
	return "Decrypt with the passphrase from BACKUP_ZIP_PASSWORD:\n  age -d <name> | tar xz\n(or: birdseye backup extract <name> DIR)\n"
}

func volumeBody(r *Report, paths []string, how string) string {
	var b strings.Builder
	b.WriteString("Encrypted NetBird volume backup attached.\n\n  archive: <name>\n")
	if r != nil {
		fmt.Fprintf(&b, "  size:    %.2f MB\n", mib(r.Size))
	}
	b.WriteString("  paths:\n")
	for _, p := range paths {
		b.WriteString("    - " + p + "\n")
	}
	if r != nil && len(r.Dumps) > 0 {
		b.WriteString("  databases (pg_dump, custom format; restore with pg_restore):\n")
		for _, d := range r.Dumps {
			b.WriteString("    - " + d + "\n")
		}
	}
	if r != nil {
		for _, w := range r.Warnings {
			b.WriteString("\nWarning: " + w + "\n")
		}
	}
	b.WriteString("\n" + how)
	return b.String()
}

func exportBody(r *ExportReport, how string) string {
	var b strings.Builder
	b.WriteString("Encrypted NetBird API export attached.\n\n  archive:   <name>\n")
	if r != nil && r.Manifest != nil {
		var ok []string
		for _, e := range r.Manifest.Endpoints {
			if e.Status == "ok" {
				ok = append(ok, e.Name)
			}
		}
		fmt.Fprintf(&b, "  size:      %.1f KB\n  endpoints: %d (%s)\n", float64(r.Size)/1024, len(ok), strings.Join(ok, ", "))
	}
	b.WriteString("\n" + how + "\nexport/manifest.json inside the archive lists every endpoint queried,\nincluding the ones that were skipped (404/403) and why.\n")
	return b.String()
}
