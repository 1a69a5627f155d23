// Package target stores backup archives off the host (BACKUP_TARGETS):
// each destination behind one small interface, as restic's backends are,
// with one conformance suite for all. A put lands under a temporary name,
// is read back and compared (size and SHA-256) and only then renamed, so a
// listing never shows a partial archive; each target prunes its own
// archives.
package target

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/retention"
	"github.com/styliteag/birdseye/internal/sshremote"
)

// Target is one destination.
type Target interface {
	// String names it without secrets (sftp://backup@vault:22/srv/nb).
	String() string
	// Put stores the local file under name, verified, atomically.
	Put(ctx context.Context, name, local string) error
	// List is the names there, sorted.
	List(ctx context.Context) ([]string, error)
	Delete(ctx context.Context, name string) error
	// Get copies name to w (a restore check of what the target holds).
	Get(ctx context.Context, name string, w io.Writer) error
	// Check reaches it and proves it writable, storing nothing that stays.
	Check(ctx context.Context) (string, error)
}

// SSH is the SSH settings of sftp:// targets (BACKUP_SSH_*).
type SSH struct {
	KeyFile, KnownHosts, Strict string
}

// Settings are what the targets need beyond their URLs.
type Settings struct {
	SSH SSH
	S3  S3Config
}

// Spec is one target as the configuration read it (config.BackupTarget
// converts to it): file:///dir, sftp://user@host[:port]/dir or
// s3://bucket/prefix taken apart.
type Spec struct {
	Raw    string
	Scheme string // file, sftp or s3
	User   string // sftp
	Host   string // sftp: the host; s3: the bucket
	Port   int    // sftp
	Path   string // file and sftp: the directory; s3: the prefix
}

// New builds the target a spec names.
func New(sp Spec, set Settings) (Target, error) {
	switch sp.Scheme {
	case "file":
		return &Dir{Path: sp.Path}, nil
	case "sftp":
		host := sp.Host
		if sp.User != "" {
			host = sp.User + "@" + host
		}
		return &SFTP{Remote: sshremote.Config{Host: host, Port: cmp.Or(sp.Port, 22), KeyFile: set.SSH.KeyFile, KnownHosts: set.SSH.KnownHosts, Strict: set.SSH.Strict, Vars: "BACKUP"},
			Dir: sp.Path}, nil
	case "s3":
		t, err := newS3(sp.Host, sp.Path, set.S3)
		if err != nil {
			return nil, fmt.Errorf("%q: %v", sp.Raw, err)
		}
		return t, nil
	}
	return nil, fmt.Errorf("%q: unknown scheme; expected file:///dir, sftp://user@host[:port]/dir or s3://bucket/prefix", sp.Raw)
}

// Prune applies the retention to each kind's archives (the name up to its
// time stamp; both formats count); other files are never touched.
func Prune(ctx context.Context, t Target, kinds []string, keep retention.Policy) ([]string, error) {
	var deleted []string
	for _, kind := range kinds {
		gone, err := PruneSeries(ctx, t, Series{
			Match: func(n string) bool {
				return strings.HasPrefix(n, kind) && (strings.HasSuffix(n, ".zip") || strings.HasSuffix(n, ".tar.gz.age"))
			},
			Stamp: retention.Stamp,
		}, keep)
		deleted = append(deleted, gone...)
		if err != nil {
			return deleted, err
		}
	}
	return deleted, nil
}

// Series is one kind of archive in a place: which names belong to it and
// the time each name carries.
type Series struct {
	Match func(name string) bool
	Stamp func(name string) (time.Time, bool)
}

// Store is what pruning needs of a place that holds archives: a Target,
// or an open SFTP connection's directory (OnSFTP).
type Store interface {
	List(ctx context.Context) ([]string, error)
	Delete(ctx context.Context, name string) error
}

// PruneSeries deletes the series' archives the policy does not keep, in
// name order, and returns them; names outside the series are never
// touched. A failed delete is named in the error.
func PruneSeries(ctx context.Context, st Store, s Series, keep retention.Policy) ([]string, error) {
	names, err := st.List(ctx)
	if err != nil {
		return nil, err
	}
	var mine, deleted []string
	for _, n := range names {
		if s.Match(n) {
			mine = append(mine, n)
		}
	}
	for _, d := range retention.DropBy(mine, keep, s.Stamp) {
		if err := st.Delete(ctx, d); err != nil {
			return deleted, fmt.Errorf("prune %s: %w", d, err)
		}
		deleted = append(deleted, d)
	}
	return deleted, nil
}

func fileSum(local string) (string, int64, error) {
	f, err := os.Open(local)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// Latest is the newest volume archive on t (netbird-<label>-<stamp>).
func Latest(ctx context.Context, t Target) (string, error) {
	names, err := t.List(ctx)
	if err != nil {
		return "", err
	}
	best, bestStamp := "", ""
	for _, n := range names {
		if !strings.HasPrefix(n, "netbird-") || !(strings.HasSuffix(n, ".zip") || strings.HasSuffix(n, ".tar.gz.age")) {
			continue
		}
		base := n[:strings.Index(n, ".")]
		if st := base[strings.LastIndex(base, "-")+1:]; st > bestStamp {
			best, bestStamp = n, st
		}
	}
	if best == "" {
		return "", fmt.Errorf("%s holds no volume archive (netbird-*.zip or .tar.gz.age)", t)
	}
	return best, nil
}

// Fetch copies name from t into a new temporary directory and returns the
// file's path; the caller removes that directory. A failed copy leaves
// nothing behind.
func Fetch(ctx context.Context, t Target, name string) (string, error) {
	dir, err := os.MkdirTemp("", "birdseye-fetch-")
	if err != nil {
		return "", err
	}
	file := path.Join(dir, path.Base(name))
	out, err := os.OpenFile(file, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	err = t.Get(ctx, name, out)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("fetch %s from %s: %w", name, t, err)
	}
	return file, nil
}

func partialName(name string) string { return "." + path.Base(name) + ".partial" }

// partialAge is how long a partial must have gone unwritten to be taken
// as left by a killed put: an upload writes without pause, and a remote's
// clock (by which SFTP reports the time) may be off by minutes.
const partialAge = time.Hour

// stalePartial says whether a file in a target is a partial upload of
// birdseye's (".netbird….partial") that a killed put left behind.
func stalePartial(fi os.FileInfo, now time.Time) bool {
	n := fi.Name()
	return fi.Mode().IsRegular() && strings.HasPrefix(n, ".netbird") && strings.HasSuffix(n, ".partial") && now.Sub(fi.ModTime()) > partialAge
}
