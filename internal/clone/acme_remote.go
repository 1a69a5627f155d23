package clone

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
)

// MergeRemoteACME merges the primary's ACME store (staged acme.json) into
// the standby's ingress store at remote (CLONE_ACME_REMOTE) over SFTP and
// writes it back whole (mode 0600, through a rename), returning the main
// domains it now holds. The ingress must be stopped around it, or Traefik
// may write its own copy over the merge.
func (s Standby) MergeRemoteACME(primary []byte, remote string) ([]string, error) {
	fsys := s.Shell.SFTP()
	var current []byte
	f, err := fsys.Open(remote)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("read %s on the standby: %w", remote, err)
	default:
		current, err = io.ReadAll(io.LimitReader(f, 64<<20))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("read %s on the standby: %w", remote, err)
		}
	}
	merged, err := MergeACME(current, primary)
	if err != nil {
		return nil, err
	}
	if err := fsys.MkdirAll(path.Dir(remote)); err != nil {
		return nil, fmt.Errorf("create %s on the standby: %w", path.Dir(remote), err)
	}
	partial := path.Join(path.Dir(remote), "."+path.Base(remote)+".partial")
	w, err := fsys.OpenFile(partial, os.O_CREATE|os.O_TRUNC|os.O_WRONLY)
	if err != nil {
		return nil, fmt.Errorf("write %s on the standby: %w", partial, err)
	}
	w.Chmod(0o600) // Traefik refuses an ACME store others can read
	_, err = w.Write(merged)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if err = fsys.PosixRename(partial, remote); err != nil {
			err = fsys.Rename(partial, remote)
		}
	}
	if err != nil {
		fsys.Remove(partial)
		return nil, fmt.Errorf("write %s on the standby: %w", remote, err)
	}
	return CertDomains(merged)
}
