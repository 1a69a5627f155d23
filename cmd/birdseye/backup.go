package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/archive"
	"github.com/styliteag/birdseye/internal/backup"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/configdoc"
	"github.com/styliteag/birdseye/internal/export"
	"github.com/styliteag/birdseye/internal/jobs"
	"github.com/styliteag/birdseye/internal/version"

	"golang.org/x/term"
)

type backupCmd struct {
	Run     backupRunCmd     `cmd:"" help:"The volume backup, then the API export, each mailed (what CRON_BACKUP_NETBIRD runs). Exit 0 ok, 1 failed, 2 too big to mail."`
	Volumes backupVolumesCmd `cmd:"" help:"Archive BACKUP_PATHS (SQLite databases as consistent snapshots) into an AES-256 zip."`
	Verify  backupVerifyCmd  `cmd:"" help:"Check that every entry of an archive decrypts and matches its checksum; list them."`
	Extract backupExtractCmd `cmd:"" help:"Extract an archive into a directory (entries that would land outside it are refused)."`
	Check   backupCheckCmd   `cmd:"" help:"Open an archive as a restore would and say whether it restores: checksums, SQLite integrity, the store's counts against the live server, the store key."`
	Offsite backupOffsiteCmd `cmd:"" help:"Ship a tar.gz of NetBird's configuration (SQLite as snapshots) over SSH to OFFSITE_SSH_HOST, verify it there, prune (what CRON_BACKUP_OFFSITE runs)."`
}

func backupConfig() (*config.Tool, error) {
	if err := config.LoadDotEnv(".env"); err != nil {
		return nil, err
	}
	t, err := config.LoadTool()
	if err != nil {
		return nil, err
	}
	return t, t.Backup.CheckKey()
}

// readPassword is for restores: BACKUP_ZIP_PASSWORD (or _FILE) when set,
// else a prompt without echo on a terminal, so a restore needs nothing but
// the image and the passphrase, which never appears in the process list.
func readPassword(e *env) (string, error) {
	if err := config.LoadDotEnv(".env"); err != nil {
		return "", err
	}
	t, err := config.LoadTool()
	if err != nil {
		return "", err
	}
	if pw := t.Backup.Password.Reveal(); pw != "" {
		return pw, nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return "", t.Backup.RequirePassword()
	}
	fmt.Fprint(e.stderr, "Archive passphrase: ")
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(e.stderr)
	if err != nil {
		return "", fmt.Errorf("read the passphrase: %w", err)
	}
	return string(b), nil
}

type backupVolumesCmd struct {
	Out    string `default:"." help:"Directory the archive is written to."`
	DryRun bool   `help:"Build the archive, report it, then delete it."`
}

func (c backupVolumesCmd) Run(ctx context.Context, e *env) error {
	t, err := backupConfig()
	if err != nil {
		return err
	}
	if err := t.Backup.RequirePaths(); err != nil {
		return err
	}
	out := c.Out
	if c.DryRun {
		if out, err = os.MkdirTemp("", "birdseye-dry-run-"); err != nil {
			return err
		}
		defer os.RemoveAll(out)
	}
	o, err := jobs.ArchiveOptions(t.Backup, out)
	if err != nil {
		return err
	}
	r, err := backup.Volumes(ctx, o, time.Now())
	if err != nil {
		if pe := (*backup.PathsError)(nil); errors.As(err, &pe) {
			return &config.Error{Var: "BACKUP_PATHS", Msg: pe.Msg}
		}
		return err
	}
	fmt.Fprintf(e.stdout, "archive: %s\nsize:    %d bytes (%d files, %d bytes before compression)\n", r.File, r.Size, r.Files, r.Bytes)
	for _, d := range r.Dumps {
		fmt.Fprintf(e.stdout, "pg_dump: %s\n", d)
	}
	for _, s := range r.Snapshots {
		fmt.Fprintf(e.stdout, "sqlite:  %s (consistent snapshot, integrity ok)\n", s)
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(e.stdout, "warning: %s\n", w)
	}
	if c.DryRun {
		fmt.Fprintln(e.stdout, "dry run: the archive was built and checked, then deleted")
	}
	return nil
}

type backupVerifyCmd struct {
	File     string   `arg:"" type:"existingfile" help:"The archive (.zip, or .tar.gz.age)."`
	Identity []string `type:"existingfile" placeholder:"FILE" help:"For an age archive: an age key file (age-keygen) or an SSH private key; repeatable. Without it, the passphrase is asked for."`
}

// archiveKey is what opens file: the identities given for an age archive,
// else the passphrase (BACKUP_ZIP_PASSWORD or a prompt).
func archiveKey(e *env, file string, identities []string) (backup.Key, error) {
	if len(identities) > 0 {
		if !archive.IsAge(file) {
			return backup.Key{}, &flagError{Flag: "--identity", Msg: "is for age archives (.tar.gz.age); " + file + " is a zip: it opens with the passphrase"}
		}
		var k backup.Key
		for _, f := range identities {
			ids, err := archive.ParseIdentityFile(f)
			if err != nil {
				return k, &flagError{Flag: "--identity", Msg: err.Error()}
			}
			k.Identities = append(k.Identities, ids...)
		}
		return k, nil
	}
	pw, err := readPassword(e)
	return backup.Key{Password: pw}, err
}

func (c backupVerifyCmd) Run(e *env) error {
	k, err := archiveKey(e, c.File, c.Identity)
	if err != nil {
		return err
	}
	var entries []archive.Entry
	if archive.IsAge(c.File) {
		entries, err = archive.EachAge(c.File, k.AgeIdentities(), nil)
		if errors.Is(err, archive.ErrNoIdentity) {
			return fmt.Errorf("%w (give the key with --identity, or the passphrase)", err)
		}
	} else {
		entries, err = archive.Verify(c.File, k.Password)
		if errors.Is(err, archive.ErrWrongPassword) {
			return fmt.Errorf("%w: the passphrase does not open %s", err, c.File)
		}
	}
	for _, en := range entries {
		if en.Dir {
			continue
		}
		fmt.Fprintf(e.stdout, "%s  %10d  %s\n", en.SHA256, en.Size, en.Name)
	}
	if err != nil {
		return err
	}
	in, err := backup.Inspect(c.File, k)
	if err != nil {
		return err
	}
	bad := 0
	for name, ierr := range in.Databases {
		if ierr != nil {
			fmt.Fprintf(e.stdout, "FAILED sqlite: %s: %v\n", name, ierr)
			bad++
		} else {
			fmt.Fprintf(e.stdout, "sqlite: %s: integrity ok\n", name)
		}
	}
	for _, w := range in.Warnings {
		fmt.Fprintln(e.stdout, "warning:", w)
	}
	if bad > 0 {
		return fmt.Errorf("%d SQLite database(s) in %s fail integrity_check", bad, c.File)
	}
	fmt.Fprintf(e.stdout, "ok: %d entries decrypt and match their checksums\n", len(entries))
	return nil
}

type backupExtractCmd struct {
	File     string   `arg:"" type:"existingfile" help:"The archive (.zip, or .tar.gz.age)."`
	Dir      string   `arg:"" help:"Directory to extract into (created if missing)."`
	Identity []string `type:"existingfile" placeholder:"FILE" help:"For an age archive: an age key file (age-keygen) or an SSH private key; repeatable. Without it, the passphrase is asked for."`
}

func (c backupExtractCmd) Run(e *env) error {
	k, err := archiveKey(e, c.File, c.Identity)
	if err != nil {
		return err
	}
	var got archive.Extracted
	if archive.IsAge(c.File) {
		got, err = archive.ExtractAge(c.File, k.AgeIdentities(), c.Dir)
	} else {
		got, err = archive.Extract(c.File, k.Password, c.Dir)
	}
	for _, w := range got.Files {
		fmt.Fprintln(e.stdout, w)
	}
	return err
}

type exportCmd struct {
	Out    string `default:"." help:"Directory the archive is written to."`
	DryRun bool   `help:"Read everything and build the archive, report it, then delete it."`
	ByName bool   `name:"by-name" help:"Write the configuration as one document keyed by names to stdout instead (no ids, timestamps or secrets; the same bytes for the same account: for git and diffs). NB_API_KEY is enough."`
	Format string `enum:"yaml,json" default:"yaml" help:"The --by-name document's format: yaml or json."`
}

// Run exports the whole configuration through the API (needs an admin
// token) into an encrypted archive, or (--by-name) as one document by name.
func (c exportCmd) Run(ctx context.Context, e *env) error {
	if c.ByName {
		_, client, err := tool(readToken, "export --by-name")
		if err != nil {
			return err
		}
		d, err := configdoc.Read(ctx, client)
		if err != nil {
			return adminHint(err)
		}
		return d.Write(e.stdout, c.Format)
	}
	t, client, err := tool(adminToken, "export")
	if err != nil {
		return err
	}
	if err := t.Backup.CheckKey(); err != nil {
		return err
	}
	out := c.Out
	if c.DryRun {
		if out, err = os.MkdirTemp("", "birdseye-dry-run-"); err != nil {
			return err
		}
		defer os.RemoveAll(out)
	}
	o, err := jobs.ArchiveOptions(t.Backup, out)
	if err != nil {
		return err
	}
	o.Paths, o.Exclude = nil, nil // the API, not the volumes
	var extra []export.File
	if d, derr := configdoc.Read(ctx, client); derr == nil {
		var b bytes.Buffer
		if d.Write(&b, "yaml") == nil {
			extra = append(extra, export.File{Name: backup.ByNameFile, Body: b.Bytes()})
		}
	}
	r, err := backup.Export(ctx, client, o, t.NetBird.URL, version.Version, time.Now(), extra...)
	if r != nil && r.Manifest != nil {
		for _, en := range r.Manifest.Endpoints {
			line := fmt.Sprintf("%-8s %-45s %5d items  %s", en.Status, en.Path, en.Count, en.Reason)
			fmt.Fprintln(e.stdout, strings.TrimRight(line, " "))
		}
	}
	if err != nil {
		return adminHint(err)
	}
	fmt.Fprintf(e.stdout, "archive: %s\nsize:    %d bytes\n", r.File, r.Size)
	if c.DryRun {
		fmt.Fprintln(e.stdout, "dry run: the archive was built, then deleted")
	}
	return nil
}

type backupRunCmd struct {
	DryRun bool `help:"Build and check both archives, mail nothing, keep nothing."`
}

// errExit carries a command's own exit code (backup run: 2 = too big to mail).
type errExit struct{ code int }

func (e errExit) Error() string { return fmt.Sprintf("finished with exit code %d", e.code) }

func (c backupRunCmd) Run(ctx context.Context, e *env) error {
	t, err := backupConfig()
	if err != nil {
		return err
	}
	f, err := config.LoadForwarder()
	if err != nil {
		return err
	}
	rc, err := jobs.Backup(t.NetBird, t.Backup, t.SMTP, t.Log.TZ.Loc, version.Version, f.StateFile)
	if err != nil {
		return err
	}
	if err := t.RequireSource(); err != nil {
		return err
	}
	rc.DryRun = c.DryRun
	if _, code := backup.Run(ctx, rc, time.Now(), e.stdout); code != 0 {
		return errExit{code}
	}
	return nil
}
