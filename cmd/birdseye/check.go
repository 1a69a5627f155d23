package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/styliteag/birdseye/internal/apiclient"
	"github.com/styliteag/birdseye/internal/backup"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/jobs"
	"github.com/styliteag/birdseye/internal/target"
)

type backupCheckCmd struct {
	Archive  string   `arg:"" help:"The archive; latest: the newest volume archive in BACKUP_DIR; or a target URL of BACKUP_TARGETS' form (s3://…, sftp://…, file://…): its newest volume archive."`
	Identity []string `type:"existingfile" placeholder:"FILE" help:"For an age archive: an age key file or an SSH private key; repeatable. Without it, the passphrase."`
}

// Run opens the archive as a restore would and says whether it restores:
// checksums, SQLite integrity, the store's counts against the live server
// (when NB_URL and a token are set), the store key. Exit 0 restorable, 1 not.
func (c backupCheckCmd) Run(ctx context.Context, e *env) error {
	if err := config.LoadDotEnv(".env"); err != nil {
		return err
	}
	t, err := config.LoadTool()
	if err != nil {
		return err
	}
	file := c.Archive
	if strings.Contains(file, "://") {
		if file, err = fetchLatest(ctx, t, file); err != nil {
			return err
		}
		defer os.RemoveAll(filepath.Dir(file))
	} else if file == "latest" {
		if err := t.Backup.RequireDir(); err != nil {
			return err
		}
		if file, err = backup.LatestIn(ctx, t.Backup.Dir); err != nil {
			return err
		}
	} else if _, err := os.Stat(file); err != nil {
		return &flagError{Flag: "ARCHIVE", Msg: fmt.Sprintf("=%s cannot be read (%v); expected an archive file or latest", file, err)}
	}
	k, err := archiveKey(e, file, c.Identity)
	if err != nil {
		return err
	}
	var live backup.Live
	if t.NetBird.URL != "" {
		if tok, err := t.NetBird.Token(false, "backup check"); err == nil {
			if cl, err := apiclient.New(t.NetBird, tok); err == nil {
				live = cl
			}
		}
	}
	fmt.Fprintf(e.stdout, "archive:  %s\n", file)
	r, err := backup.CheckWith(ctx, file, k, live, jobs.PostgresRestore(t.Backup))
	if err != nil {
		fmt.Fprintf(e.stdout, "verdict:  NOT restorable: %v\n", err)
		return errExit{exitFailure}
	}
	r.Text(e.stdout)
	if !r.OK() {
		return errExit{exitFailure}
	}
	return nil
}

// fetchLatest downloads the newest volume archive of a target (a URL of
// BACKUP_TARGETS' form) into a temporary directory, for the check.
func fetchLatest(ctx context.Context, t *config.Tool, raw string) (string, error) {
	f, err := config.LoadForwarder()
	if err != nil {
		return "", err
	}
	one := t.Backup
	one.Targets = config.List{raw}
	targets, err := jobs.Targets(one, filepath.Dir(f.StateFile))
	if err != nil {
		msg := err.Error()
		if ce, ok := err.(*config.Error); ok {
			msg = strings.TrimPrefix(ce.Msg, "entry 1 ")
		}
		return "", &flagError{Flag: "ARCHIVE", Msg: msg}
	}
	name, err := target.Latest(ctx, targets[0])
	if err != nil {
		return "", err
	}
	return target.Fetch(ctx, targets[0], name)
}
