package archive

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/yeka/zip"
)

// NewHiddenWriter starts an AES zip whose only file entry, inner (a .tar),
// holds every entry: zip AES encrypts contents but not names, so the names
// go inside (the Python tool's 7z -mhe=on did the same). 7-Zip opens the
// zip with the passphrase, then tar unpacks the inner archive; birdseye's
// verify, extract and check read through both.
func NewHiddenWriter(w io.Writer, password, inner string) (*TarWriter, error) {
	zw := NewWriter(w, password)
	fh, err := zw.header(inner, 0o600, time.Now())
	if err != nil {
		return nil, err
	}
	entry, err := zw.zw.CreateHeader(fh)
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	recorded := func() error {
		zw.sums = append(zw.sums, hex.EncodeToString(h.Sum(nil))+"  "+inner)
		return nil
	}
	return &TarWriter{tw: tar.NewWriter(io.MultiWriter(entry, h)), finish: []func() error{recorded, zw.Close},
		names: map[string]bool{}, buf: make([]byte, 256<<10)}, nil
}

// hidden is the inner tar of a zip NewHiddenWriter wrote, or nil: the zip's
// files are one .tar and SHA256SUMS.
func hidden(zr *zip.ReadCloser) *zip.File {
	var inner *zip.File
	for _, f := range zr.File {
		switch {
		case f.Name == SumsName:
		case strings.HasSuffix(f.Name, ".tar") && inner == nil:
			inner = f
		default:
			return nil
		}
	}
	return inner
}

// walkHidden walks the inner tar of a hidden-names zip; ok is false when
// the zip is an ordinary one.
func walkHidden(file, password string, fn func(h *tar.Header, r io.Reader) error) (entries []Entry, ok bool, err error) {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return nil, false, fmt.Errorf("open %s: %w", file, err)
	}
	defer zr.Close()
	inner := hidden(zr)
	if inner == nil {
		return nil, false, nil
	}
	inner.SetPassword(password)
	rc, err := inner.Open()
	if err != nil {
		return nil, true, wrapPassword(inner.Name, err)
	}
	defer rc.Close()
	entries, err = walkTar(file, rc, fn)
	if err != nil {
		err = wrapPassword(inner.Name, err)
	}
	return entries, true, err
}
