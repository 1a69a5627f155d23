package clone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"

	"github.com/pkg/sftp"

	"github.com/styliteag/birdseye/internal/sshremote"
)

// Shell is the standby as the remote actions use it (*sshremote.Client).
type Shell interface {
	Stream(ctx context.Context, cmd string, w io.Writer) error
	SFTP() *sftp.Client
}

// Standby is the host the clone is installed on, with its payload
// directory (CLONE_PAYLOAD_DIR).
type Standby struct {
	Shell   Shell
	Payload string
}

// ErrNothingStaged is install's answer when no payload is on the standby.
var ErrNothingStaged = errors.New("nothing staged on the standby — run 'birdseye clone stage' first")

// Manifest reads the payload's MANIFEST.json on the standby.
func (s Standby) Manifest() (*Manifest, error) {
	f, err := s.Shell.SFTP().Open(path.Join(s.Payload, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNothingStaged
	}
	if err != nil {
		return nil, fmt.Errorf("read the manifest on the standby: %w", err)
	}
	defer f.Close()
	var m Manifest
	if err := json.NewDecoder(io.LimitReader(f, 64<<20)).Decode(&m); err != nil {
		return nil, fmt.Errorf("the manifest on the standby is not valid JSON: %w", err)
	}
	return &m, nil
}

// Install runs the payload's install.sh for one target, its output shown
// as it comes. The primary is not touched.
func (s Standby) Install(ctx context.Context, t Target, w io.Writer) error {
	if _, err := s.Manifest(); err != nil {
		return err
	}
	cmd := "bash " + sshremote.Quote(path.Join(s.Payload, "install.sh")) + " " + sshremote.Quote(t.Name)
	if err := s.Shell.Stream(ctx, cmd, w); err != nil {
		return fmt.Errorf("install FAILED for %s — roll back with: birdseye clone rollback %s (%w)", t.Name, t.Name, err)
	}
	return nil
}
