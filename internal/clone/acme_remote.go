package clone

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/styliteag/birdseye/internal/sshremote"
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

// Stack is a compose stack on the standby that is not a target (the
// ingress: CLONE_INGRESS_ROOT, _PROJECT, _COMPOSE).
type Stack struct{ Root, Project, Compose string }

// CopyCertificates stops the ingress, merges the primary's certificates
// into its store and starts it again, even when the merge failed: the
// ingress serves the standby's own sites too.
func (s Standby) CopyCertificates(ctx context.Context, ingress Stack, primary []byte, remote string, w io.Writer) ([]string, error) {
	env := Target{Root: ingress.Root, Project: ingress.Project, Compose: ingress.Compose}.composeEnv()
	if err := s.Shell.Stream(ctx, "bash -c "+sshremote.Quote(env+"dc stop"), w); err != nil {
		return nil, fmt.Errorf("stop the ingress before the certificate merge: %w", err)
	}
	domains, err := s.MergeRemoteACME(primary, remote)
	if uerr := s.Shell.Stream(context.WithoutCancel(ctx), "bash -c "+sshremote.Quote(env+"dc up -d"), w); uerr != nil && err == nil {
		err = fmt.Errorf("start the ingress after the certificate merge: %w", uerr)
	}
	return domains, err
}
