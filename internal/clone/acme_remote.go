package clone

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
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
	// 0600: Traefik refuses an ACME store others can read.
	if err := writeRemote(fsys, remote, bytes.NewReader(merged)); err != nil {
		return nil, err
	}
	return CertDomains(merged)
}
