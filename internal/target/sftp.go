package target

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/pkg/sftp"

	"github.com/styliteag/birdseye/internal/sshremote"
)

// SFTP is a directory on another host over SSH: sftp://user@host/dir.
type SFTP struct {
	Remote sshremote.Config
	Dir    string
}

func (s *SFTP) String() string {
	return "sftp://" + s.Remote.Host + ":" + portText(s.Remote.Port) + s.Dir
}

func portText(p int) string {
	if p == 0 {
		p = 22
	}
	return fmt.Sprint(p)
}

func (s *SFTP) Put(ctx context.Context, name, local string) error {
	want, size, err := fileSum(local)
	if err != nil {
		return err
	}
	c, err := sshremote.Dial(ctx, s.Remote)
	if err != nil {
		return err
	}
	defer c.Close()
	fsys := c.SFTP()
	SweepPartials(fsys, s.Dir, "netbird", time.Now())
	in, err := os.Open(local)
	if err != nil {
		return err
	}
	defer in.Close()
	err = Upload(fsys, s.Dir, name, func(w io.Writer) error {
		_, err := w.(io.ReaderFrom).ReadFrom(bufio.NewReaderSize(in, 256<<10))
		return err
	}, func(partial string) error {
		// Read it back over SFTP: the bytes there must be the bytes sent.
		rf, err := fsys.Open(partial)
		if err != nil {
			return err
		}
		h := sha256.New()
		n, err := io.Copy(h, bufio.NewReaderSize(rf, 256<<10))
		rf.Close()
		if err != nil || n != size || hex.EncodeToString(h.Sum(nil)) != want {
			return errNotAsWritten
		}
		return nil
	})
	var ue *UploadError
	switch {
	case errors.As(err, &ue) && ue.Stage == StageDir:
		return fmt.Errorf("%s: create the directory: %w", s, ue.Err)
	case errors.As(err, &ue) && ue.Stage == StageCreate:
		return fmt.Errorf("%s: %w", s, ue.Err)
	case errors.As(err, &ue) && ue.Stage == StageWrite:
		return fmt.Errorf("%s: write %s: %w", s, name, ue.Err)
	case errors.As(err, &ue) && ue.Stage == StageCheck && errors.Is(ue.Err, errNotAsWritten):
		return fmt.Errorf("%s: %s does not read back as written", s, name)
	case errors.As(err, &ue) && ue.Stage == StageRename:
		return fmt.Errorf("%s: rename %s: %w", s, name, ue.Err)
	}
	return err
}

var errNotAsWritten = errors.New("does not read back as written")

func (s *SFTP) List(ctx context.Context) ([]string, error) {
	c, err := sshremote.Dial(ctx, s.Remote)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	names, err := OnSFTP(c.SFTP(), s.Dir).List(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s, err)
	}
	return names, nil
}

func (s *SFTP) Delete(ctx context.Context, name string) error {
	c, err := sshremote.Dial(ctx, s.Remote)
	if err != nil {
		return err
	}
	defer c.Close()
	return OnSFTP(c.SFTP(), s.Dir).Delete(ctx, name)
}

// OnSFTP is a directory on an open SFTP connection as a Store: the
// regular files there, sorted. The offsite backup prunes through it on
// the connection it shipped over.
func OnSFTP(fsys *sftp.Client, dir string) Store { return sftpDir{fsys, dir} }

type sftpDir struct {
	fsys *sftp.Client
	dir  string
}

func (d sftpDir) List(context.Context) ([]string, error) {
	infos, err := d.fsys.ReadDir(d.dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, fi := range infos {
		if fi.Mode().IsRegular() {
			out = append(out, fi.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

func (d sftpDir) Delete(_ context.Context, name string) error {
	return d.fsys.Remove(path.Join(d.dir, path.Base(name)))
}

func (s *SFTP) Check(ctx context.Context) (string, error) {
	c, err := sshremote.Dial(ctx, s.Remote)
	if err != nil {
		return "", err
	}
	defer c.Close()
	fsys := c.SFTP()
	dir := s.Dir
	for {
		fi, err := fsys.Stat(dir)
		if err == nil && fi.IsDir() {
			break
		}
		if err == nil || !errors.Is(err, fs.ErrNotExist) || dir == "/" {
			return "", fmt.Errorf("%s: %s is not a directory it can use", s, dir)
		}
		dir = path.Dir(dir)
	}
	probe := path.Join(dir, ".birdseye-doctor-probe")
	f, err := fsys.Create(probe)
	if err != nil {
		return "", fmt.Errorf("%s: %s is not writable: %w", s, dir, err)
	}
	f.Close()
	fsys.Remove(probe)
	msg := s.String() + ": connected, host key ok, writable"
	if st, err := fsys.StatVFS(dir); err == nil {
		msg += fmt.Sprintf(", %.1f GB free", float64(st.FreeSpace())/1e9)
	}
	return strings.TrimSpace(msg), nil
}

func (s *SFTP) Get(ctx context.Context, name string, w io.Writer) error {
	c, err := sshremote.Dial(ctx, s.Remote)
	if err != nil {
		return err
	}
	defer c.Close()
	f, err := c.SFTP().Open(path.Join(s.Dir, path.Base(name)))
	if err != nil {
		return fmt.Errorf("%s: %w", s, err)
	}
	defer f.Close()
	_, err = f.WriteTo(w)
	return err
}
