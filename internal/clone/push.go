package clone

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pkg/sftp"

	"github.com/styliteag/birdseye/internal/sshremote"
)

// PayloadMark is the file that says a directory on the standby is a
// payload birdseye may prune. It is written before anything else and
// stays, so a push cut short (no manifest yet) is still known as one.
const PayloadMark = ".birdseye-payload"

// Remote is the standby as Push uses it: commands and SFTP over one SSH
// connection (*sshremote.Client).
type Remote interface {
	Run(ctx context.Context, cmd string) (string, error)
	SFTP() *sftp.Client
}

// PushStats says what a push moved, as rsync's --stats did for the old tool.
type PushStats struct {
	Files       int   // in the payload
	Transferred int   // files sent because the standby lacked them or they differed
	Bytes       int64 // bytes sent
	Deleted     int   // files on the standby that are no longer staged
}

// Push makes remoteDir on the standby equal to the staged payload in
// local, as `rsync -a --delete` did for the old tool: only files whose
// checksum differs are sent, files no longer staged are deleted, and the
// result is checked there with `sha256sum -c`. The manifest goes first out
// and last in, so a push cut short leaves no manifest and install refuses
// the payload.
func Push(ctx context.Context, r Remote, local, remoteDir string) (PushStats, error) {
	var st PushStats
	want, err := sumTree(local)
	if err != nil {
		return st, err
	}
	st.Files = len(want) + 2
	q := sshremote.Quote(remoteDir)
	out, err := r.Run(ctx, "mkdir -p "+q+" && chmod 700 "+q+" && cd "+q+" && find . -type f -exec sha256sum {} +")
	if err != nil {
		return st, fmt.Errorf("list the payload on the standby: %w", err)
	}
	have := parseSums(out)
	_, marked := have[PayloadMark]
	_, manifest := have[ManifestName]
	if len(have) > 0 && !marked && !manifest {
		// Push deletes what is not staged: never in a directory that holds
		// something else (a CLONE_PAYLOAD_DIR of /opt would lose /opt).
		return st, fmt.Errorf("CLONE_PAYLOAD_DIR %s on the standby holds %d files and is not a birdseye payload (no %s or %s); nothing was sent or deleted: point CLONE_PAYLOAD_DIR at a directory of its own", remoteDir, len(have), ManifestName, PayloadMark)
	}
	fs := r.SFTP()
	if err := roomFor(fs, remoteDir, want, have); err != nil {
		return st, err
	}
	if !marked {
		if err := writeRemote(fs, path.Join(remoteDir, PayloadMark), strings.NewReader("birdseye clone payload: birdseye deletes what it did not stage here\n")); err != nil {
			return st, err
		}
	}
	for _, own := range []string{ManifestName, SumsName} {
		if _, ok := have[own]; ok {
			if err := fs.Remove(path.Join(remoteDir, own)); err != nil {
				return st, fmt.Errorf("remove the old %s on the standby: %w", own, err)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		if have[name] == want[name].SHA256 {
			continue
		}
		if err := upload(fs, filepath.Join(local, filepath.FromSlash(name)), path.Join(remoteDir, name)); err != nil {
			return st, err
		}
		st.Transferred++
		st.Bytes += want[name].Bytes
	}
	for name := range have {
		if _, ok := want[name]; ok || name == ManifestName || name == SumsName || name == PayloadMark {
			continue
		}
		if err := fs.Remove(path.Join(remoteDir, name)); err != nil {
			return st, fmt.Errorf("delete %s on the standby (no longer staged): %w", name, err)
		}
		st.Deleted++
	}
	for _, own := range []string{SumsName, ManifestName} {
		fi, err := os.Stat(filepath.Join(local, own))
		if err != nil {
			return st, fmt.Errorf("the staged payload has no %s; stage again: %w", own, err)
		}
		if err := upload(fs, filepath.Join(local, own), path.Join(remoteDir, own)); err != nil {
			return st, err
		}
		st.Transferred++
		st.Bytes += fi.Size()
	}
	if out, err := r.Run(ctx, "cd "+q+" && find . -mindepth 1 -type d -empty -delete && sha256sum --quiet -c "+SumsName); err != nil {
		return st, fmt.Errorf("the payload on the standby does not match its checksums after the push: %s", strings.TrimSpace(out))
	}
	return st, nil
}

// roomFor refuses a push the standby has no room for, before anything is
// sent: the files that differ, plus what the install will need beside the
// payload (each database once installed and once in the rollback
// snapshot). A full disk in the middle would leave a payload install
// refuses, and an install that fails half-way. A server without the
// statvfs extension is not asked.
func roomFor(fs *sftp.Client, remoteDir string, want map[string]FileSum, have map[string]string) error {
	st, err := fs.StatVFS(remoteDir)
	if err != nil {
		return nil
	}
	var send, dbs int64
	for name, f := range want {
		if have[name] != f.SHA256 {
			send += f.Bytes
		}
		if strings.HasPrefix(name, "db/") {
			dbs += f.Bytes
		}
	}
	need := send + 2*dbs
	if free := int64(st.FreeSpace()); free < need {
		return fmt.Errorf("the standby has %.1f MB free in %s; this push needs %.1f MB and the install %.1f MB more: free some space there first",
			float64(free)/1e6, remoteDir, float64(send)/1e6, float64(2*dbs)/1e6)
	}
	return nil
}

// Text is the summary line of a push.
func (s PushStats) Text(w io.Writer) {
	fmt.Fprintf(w, "Number of regular files transferred: %d of %d (%d deleted)\n", s.Transferred, s.Files, s.Deleted)
	fmt.Fprintf(w, "Total transferred file size: %d bytes\n", s.Bytes)
}

// upload sends one local file to its place on the standby.
func upload(fs *sftp.Client, local, remote string) error {
	src, err := os.Open(local)
	if err != nil {
		return fmt.Errorf("read %s: %w", local, err)
	}
	defer src.Close()
	return writeRemote(fs, remote, bufio.NewReaderSize(src, 256<<10))
}

// writeRemote writes a file beside its place, mode 0600, and renames it
// there: a reader on the standby sees the old file or the new one, whole.
func writeRemote(fs *sftp.Client, remote string, r io.Reader) error {
	if err := fs.MkdirAll(path.Dir(remote)); err != nil {
		return fmt.Errorf("create %s on the standby: %w", path.Dir(remote), err)
	}
	partial := path.Join(path.Dir(remote), "."+path.Base(remote)+".partial")
	f, err := fs.OpenFile(partial, os.O_CREATE|os.O_TRUNC|os.O_WRONLY)
	if err != nil {
		return fmt.Errorf("create %s on the standby: %w", partial, err)
	}
	f.Chmod(0o600)
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if err = fs.PosixRename(partial, remote); err != nil {
			fs.Remove(remote)
			err = fs.Rename(partial, remote)
		}
	}
	if err != nil {
		fs.Remove(partial)
		return fmt.Errorf("send %s to the standby: %w", remote, err)
	}
	return nil
}

// parseSums reads `sha256sum` lines of `./name` paths.
func parseSums(out string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 {
			continue // escaped odd names: never ours, so they count as absent and stay
		}
		m[strings.TrimPrefix(name, "./")] = sum
	}
	return m
}
