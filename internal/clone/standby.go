package clone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

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
	// AfterFailover acts on a target failover.sh made the live server:
	// install, drill and rollback refuse it otherwise (--after-failover).
	AfterFailover bool
}

// env is what a remote command of the standby's runs with: the
// permission to act on a live target, when given.
func (s Standby) env() string {
	if s.AfterFailover {
		return "BIRDSEYE_AFTER_FAILOVER=yes "
	}
	return ""
}

// LiveSince is when failover.sh made the target the live server, from the
// mark it leaves in the target's root; "" for a standby.
func (s Standby) LiveSince(t Target) string {
	fs := s.Shell.SFTP()
	if fs == nil { // a shell without files (the unit tests' script runner)
		return ""
	}
	f, err := fs.Open(path.Join(t.Root, LiveMark))
	if err != nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 256))
	if since, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n"); since != "" {
		return since
	}
	return "an unknown time"
}

// refuseLive is the error for an action on a target that is the live
// server, unless AfterFailover.
func (s Standby) refuseLive(t Target, action string) error {
	if s.AfterFailover {
		return nil
	}
	if since := s.LiveSince(t); since != "" {
		return fmt.Errorf("%s is the live server since %s (failover.sh ran there): %s would stop it or replace its store; nothing on the standby was changed (--after-failover does it anyway)", t.Name, since, action)
	}
	return nil
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
	if err := s.refuseLive(t, "an install"); err != nil {
		return err
	}
	cmd := s.env() + "bash " + sshremote.Quote(path.Join(s.Payload, "install.sh")) + " " + sshremote.Quote(t.Name)
	if err := s.Shell.Stream(ctx, cmd, w); err != nil {
		// install.sh exits 3 when it refused before changing anything:
		// then a rollback would replace a good store with an older one.
		if code, ok := sshremote.ExitStatus(err); ok && code == 3 {
			return fmt.Errorf("install refused for %s, nothing on the standby was changed (%w)", t.Name, err)
		}
		return fmt.Errorf("install FAILED for %s — roll back with: birdseye clone rollback %s (%w)", t.Name, t.Name, err)
	}
	return nil
}
