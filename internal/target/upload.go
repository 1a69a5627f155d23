package target

import (
	"io"
	"os"
	"path"
	"strings"
	"time"

	"github.com/pkg/sftp"
)

// UploadStage names the step of an upload that failed.
type UploadStage string

const (
	StageDir    UploadStage = "mkdir"  // the directory
	StageCreate UploadStage = "create" // the partial file
	StageWrite  UploadStage = "write"
	StageCheck  UploadStage = "check"
	StageRename UploadStage = "rename"
)

// UploadError is a failed upload and the step it failed at, so that each
// caller words it as its users know it.
type UploadError struct {
	Stage   UploadStage
	Partial string // the partial file's path on the remote
	Final   string
	Err     error
}

func (e *UploadError) Error() string { return string(e.Stage) + " " + e.Partial + ": " + e.Err.Error() }
func (e *UploadError) Unwrap() error { return e.Err }

// Upload is how every archive leaves birdseye over SFTP (a backup
// target's and the offsite backup's): the directory made, the archive
// written under a hidden partial name (.name.partial, 0600)
// through write, checked by check (the bytes there are the bytes sent),
// then renamed into place, atomically where the server can. Whatever
// fails, no partial file stays.
func Upload(fsys *sftp.Client, dir, name string, write func(io.Writer) error, check func(partial string) error) error {
	partial, final := path.Join(dir, "."+path.Base(name)+".partial"), path.Join(dir, path.Base(name))
	fail := func(stage UploadStage, err error) error {
		return &UploadError{Stage: stage, Partial: partial, Final: final, Err: err}
	}
	if err := fsys.MkdirAll(dir); err != nil {
		return fail(StageDir, err)
	}
	done := false
	defer func() {
		if !done {
			fsys.Remove(partial)
		}
	}()
	f, err := fsys.OpenFile(partial, os.O_CREATE|os.O_TRUNC|os.O_WRONLY)
	if err != nil {
		return fail(StageCreate, err)
	}
	f.Chmod(0o600)
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fail(StageWrite, err)
	}
	if err := check(partial); err != nil {
		return fail(StageCheck, err)
	}
	if err := fsys.PosixRename(partial, final); err != nil {
		if err := fsys.Rename(partial, final); err != nil {
			return fail(StageRename, err)
		}
	}
	done = true
	return nil
}

// SweepPartials removes the partial uploads a killed run left in dir:
// hidden files "."+prefix+"….partial" unwritten for an hour (a remote's
// clock may be off by minutes; a fresh one may be another run's upload in
// flight). It returns how many it removed.
func SweepPartials(fsys *sftp.Client, dir, prefix string, now time.Time) int {
	infos, err := fsys.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, fi := range infos {
		name := fi.Name()
		if !fi.Mode().IsRegular() || !strings.HasPrefix(name, "."+prefix) || !strings.HasSuffix(name, ".partial") || now.Sub(fi.ModTime()) <= partialAge {
			continue
		}
		if fsys.Remove(path.Join(dir, name)) == nil {
			n++
		}
	}
	return n
}
