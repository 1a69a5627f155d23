package offsite

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"

	"github.com/styliteag/birdseye/internal/sshremote"
)

// Check is doctor's look at the target without shipping anything: it
// connects (the host key policy applies, so a changed key fails here
// first), writes and removes a probe file in the remote directory (or in
// the nearest parent that exists, when the directory is still to be
// created), and says the free space there when the server can tell.
func Check(ctx context.Context, o Options) (string, error) {
	c, err := sshremote.Dial(ctx, o.Remote)
	if err != nil {
		return "", err
	}
	defer c.Close()
	fsys := c.SFTP()
	dir, note := o.RemoteDir, ""
	for {
		fi, err := fsys.Stat(dir)
		if err == nil && fi.IsDir() {
			break
		}
		if err == nil {
			return "", fmt.Errorf("%s on the remote is not a directory", dir)
		}
		if !errors.Is(err, fs.ErrNotExist) || dir == path.Dir(dir) {
			return "", fmt.Errorf("look at %s on the remote: %w", dir, err)
		}
		dir, note = path.Dir(dir), " (to be created)"
	}
	probe := path.Join(dir, ".birdseye-doctor-probe")
	f, err := fsys.OpenFile(probe, os.O_CREATE|os.O_TRUNC|os.O_WRONLY)
	if err != nil {
		return "", fmt.Errorf("%s on the remote is not writable: %w", dir, err)
	}
	f.Close()
	if err := fsys.Remove(probe); err != nil {
		return "", fmt.Errorf("remove the probe %s: %w", probe, err)
	}
	msg := fmt.Sprintf("%s: connected, host key ok, %s writable%s", o.Remote.Addr(), o.RemoteDir, note)
	if st, err := fsys.StatVFS(dir); err == nil {
		msg += fmt.Sprintf(", %.1f GB free", float64(st.FreeSpace())/1e9)
	}
	if all, err := list(fsys, o.RemoteDir, o.Prefix); err == nil && len(all) > 0 {
		msg += fmt.Sprintf(", %d archives, newest %s", len(all), all[0].Name)
	}
	return msg, nil
}
