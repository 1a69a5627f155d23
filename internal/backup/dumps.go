package backup

import (
	"context"
	"fmt"
	"io"
	"path"
	"time"
)

// Dump is one database dump that goes into the volume archive beside the
// files: NetBird's store on Postgres, written by pg_dump (package pgdump)
// as the archive is made, never staged on disk.
type Dump struct {
	Name  string // the entry's name, e.g. postgres/netbird.dump
	Write func(ctx context.Context, w io.Writer) error
}

// addDumps streams each dump into the archive. A dump that fails fails
// the backup: an archive without the database would look whole and not be.
func addDumps(ctx context.Context, w packer, dumps []Dump, now time.Time, r *Report) error {
	for _, d := range dumps {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(d.Write(ctx, pw)) }()
		n, err := w.Add(path.Clean(d.Name), pr, 0o600, now)
		pr.CloseWithError(err) // a failed Add stops the dump
		if err != nil {
			return fmt.Errorf("%s: %w", d.Name, err)
		}
		r.Dumps = append(r.Dumps, fmt.Sprintf("%s (%.1f MB)", d.Name, float64(n)/1e6))
		r.Files++
		r.Bytes += n
	}
	return nil
}
