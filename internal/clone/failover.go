package clone

import (
	"context"
	"fmt"
	"io"
	"path"

	"github.com/styliteag/birdseye/internal/sshremote"
)

// PlaceFailoverScript copies the payload's failover.sh into the failover
// target's root (mode 0700): there it is found, and runs, when the primary
// and this birdseye are gone.
func (s Standby) PlaceFailoverScript(t Target) error {
	fs := s.Shell.SFTP()
	src, err := fs.Open(path.Join(s.Payload, "failover.sh"))
	if err != nil {
		return fmt.Errorf("read failover.sh in the payload on the standby: %w", err)
	}
	defer src.Close()
	dst := path.Join(t.Root, "failover.sh")
	if err := writeRemote(fs, dst, src); err != nil {
		return err
	}
	if err := fs.Chmod(dst, 0o700); err != nil {
		return fmt.Errorf("make %s executable: %w", dst, err)
	}
	return nil
}

// Failover runs failover.sh in the target's root, its output shown as it
// comes.
func (s Standby) Failover(ctx context.Context, t Target, w io.Writer) error {
	if err := s.Shell.Stream(ctx, "bash "+sshremote.Quote(path.Join(t.Root, "failover.sh")), w); err != nil {
		return fmt.Errorf("failover to %s FAILED: %w", t.Name, err)
	}
	return nil
}
