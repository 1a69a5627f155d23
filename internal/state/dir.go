package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// ErrUnusable marks a state directory the daemon cannot keep its promises
// with: it cannot write there, or another daemon already uses it. Restarting
// does not help; the message says what does.
var ErrUnusable = errors.New("state directory unusable")

// ImageUID is the user the image runs as (docker/Dockerfile).
const ImageUID = 65532

// FixOwnerCommand is the one-shot command that hands a state volume written
// by the Python image (root-owned files) to the image's user.
const FixOwnerCommand = "docker compose run --rm --user 0 --cap-add CHOWN --cap-add FOWNER birdseye state fix-owner"

// LockName is the lock file in the state directory.
const LockName = "birdseye.lock"

// Lock is a claimed state directory.
type Lock struct{ f *os.File }

// Release frees the directory for the next daemon.
func (l *Lock) Release() {
	if l != nil && l.f != nil {
		l.f.Close()
	}
}

// Claim makes sure the daemon can keep its promise with the state directory
// dir: it exists (it is made if not), it and everything in it can be written
// by this process, and no other daemon uses it. A state that cannot be saved
// would make every restart send the same events again, and two daemons on
// one state would send everything twice: both are refused here, at start,
// with what to do.
func Claim(dir string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, unusable(dir, dir, err)
	}
	if err := Writable(dir); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, LockName)
	l, holder, err := TryLock(path)
	switch {
	case errors.Is(err, ErrBusy):
		return nil, fmt.Errorf("%w: another birdseye daemon (pid %s) uses the state directory %s: two daemons on one state would deliver every event twice; stop the other one, or give this one its own STATE_FILE",
			ErrUnusable, holder, dir)
	case err != nil:
		return nil, unusable(dir, path, err)
	}
	return l, nil
}

// ErrBusy is TryLock's answer when another process holds the lock.
var ErrBusy = errors.New("held by another process")

// TryLock takes the lock file at path without waiting and writes this
// process's id into it. When another process holds it, the error is
// ErrBusy and holder is that process's id.
func TryLock(path string) (l *Lock, holder string, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, "", err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		b := make([]byte, 32)
		n, _ := f.ReadAt(b, 0)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, strings.TrimSpace(string(b[:n])), ErrBusy
		}
		return nil, "", fmt.Errorf("lock %s: %w", path, err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return &Lock{f: f}, "", nil
}

// Writable checks that dir and every directory and file below it can be
// written by this process. The first one that cannot is named in the error,
// with its owner and mode, this process's user and the fix.
func Writable(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // gone while we looked: nothing to write to
			}
			return unusable(dir, path, err)
		}
		mode := uint32(unix.W_OK)
		if d.IsDir() {
			mode |= unix.X_OK | unix.R_OK
		}
		if err := unix.Access(path, mode); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return unusable(dir, path, err)
		}
		return nil
	})
}

func unusable(dir, path string, cause error) error {
	var owner string
	if fi, err := os.Stat(path); err == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			owner = fmt.Sprintf(" (owner %d:%d, mode %04o)", st.Uid, st.Gid, fi.Mode().Perm())
		}
	}
	uid := os.Getuid()
	const consequence = "the state could not be saved and every restart would send the same events again"
	// The fix that matches the cause: the owner only when it is the owner.
	switch {
	case errors.Is(cause, syscall.EROFS):
		return fmt.Errorf("%w: %s is on a read-only file system; %s; fix: mount the state volume read-write (no :ro on it: the image's own file system is read-only, the volume must not be), or set STATE_FILE to a file on a writable volume",
			ErrUnusable, path, consequence)
	case errors.Is(cause, fs.ErrNotExist):
		return fmt.Errorf("%w: %s does not exist and cannot be made (%v); %s; fix: mount a volume at %s (the compose file's birdseye-state volume), or set STATE_FILE to a file in a directory that exists",
			ErrUnusable, path, cause, consequence, dir)
	case errors.Is(cause, fs.ErrPermission):
		fix := fmt.Sprintf("chown -R %d:%d %s", uid, os.Getgid(), dir)
		if uid == ImageUID {
			fix = FixOwnerCommand + " (once; it hands a volume of the Python image to the image's user), or with plain docker: " +
				"docker run --rm --user 0 --cap-add CHOWN --cap-add FOWNER -v <the state volume>:" + dir + " <the birdseye image> state fix-owner; " +
				"or on the host: chown -R " + fmt.Sprint(ImageUID) + ":" + fmt.Sprint(ImageUID) + " <the volume's directory> (" + dir + " is the path inside the container)"
		} else {
			fix += ", or set STATE_FILE to a file in a directory you own (e.g. ./state/state.json)"
		}
		return fmt.Errorf("%w: %s%s cannot be written by birdseye (uid %d); %s; fix: %s", ErrUnusable, path, owner, uid, consequence, fix)
	}
	if errors.Is(cause, syscall.ENOTDIR) {
		return fmt.Errorf("%w: %s cannot be a directory: a file is in its way (%v); %s; fix: set STATE_FILE to a file in a directory, or move the file that is in the way",
			ErrUnusable, path, cause, consequence)
	}
	return fmt.Errorf("%w: %s%s cannot be used by birdseye (uid %d): %v; %s", ErrUnusable, path, owner, uid, cause, consequence)
}

// FixOwner hands dir and everything below it to uid:gid with the modes the
// daemon uses (directories 0700, files 0600), and says what it changed. It
// needs root: it is the one-shot fix for a state volume of the Python image,
// whose files are root's. Symbolic links are left alone, never followed.
// Children change before their directory: root without CAP_DAC_OVERRIDE
// (the compose file drops every capability) could not list a directory it
// had already handed over.
func FixOwner(dir string, uid, gid int, report func(path, change string)) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("%w: state fix-owner changes owners and needs root: run it as %s", ErrUnusable, FixOwnerCommand)
	}
	type entry struct {
		path string
		fi   fs.FileInfo
	}
	var all []entry
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("fix owner of %s: %w", path, err)
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return fmt.Errorf("fix owner of %s: %w", path, err)
		}
		all = append(all, entry{path, fi})
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range slices.Backward(all) {
		mode := fs.FileMode(0o600)
		if e.fi.IsDir() {
			mode = 0o700
		}
		var changes []string
		if st, ok := e.fi.Sys().(*syscall.Stat_t); ok && (int(st.Uid) != uid || int(st.Gid) != gid) {
			if err := os.Lchown(e.path, uid, gid); err != nil {
				return fmt.Errorf("fix owner of %s: %w", e.path, err)
			}
			changes = append(changes, fmt.Sprintf("owner %d:%d -> %d:%d", st.Uid, st.Gid, uid, gid))
		}
		if e.fi.Mode().Perm() != mode {
			if err := os.Chmod(e.path, mode); err != nil {
				return fmt.Errorf("fix mode of %s: %w", e.path, err)
			}
			changes = append(changes, fmt.Sprintf("mode %04o -> %04o", e.fi.Mode().Perm(), mode))
		}
		if len(changes) > 0 {
			report(e.path, strings.Join(changes, ", "))
		}
	}
	return nil
}
