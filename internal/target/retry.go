package target

import (
	"context"
	"errors"
	"io"

	"github.com/styliteag/birdseye/internal/retry"
)

// Transient reports a failure of a target that may pass: the network's
// (retry.Network), an S3 server error or slow-down (5xx, 429). A refused
// key, a missing bucket, a full disk or an archive that does not read back
// do not pass by waiting.
func Transient(err error) bool {
	var se *s3Error
	if errors.As(err, &se) {
		return se.status >= 500 || se.status == 429
	}
	return retry.Network(err)
}

// WithRetry wraps t so that a put, list, get or delete that fails for a
// passing reason is tried again, as restic's retry backend wraps its
// backends. A get that has written part of the archive is not tried again
// (w holds half of it).
func WithRetry(t Target, p retry.Policy) Target {
	if p.Transient == nil {
		p.Transient = Transient
	}
	return &retrying{Target: t, p: p}
}

type retrying struct {
	Target
	p retry.Policy
}

func (r *retrying) Put(ctx context.Context, name, local string) error {
	return r.p.Do(ctx, func() error { return r.Target.Put(ctx, name, local) })
}

func (r *retrying) List(ctx context.Context) ([]string, error) {
	var out []string
	err := r.p.Do(ctx, func() error {
		var err error
		out, err = r.Target.List(ctx)
		return err
	})
	return out, err
}

func (r *retrying) Delete(ctx context.Context, name string) error {
	return r.p.Do(ctx, func() error { return r.Target.Delete(ctx, name) })
}

func (r *retrying) Get(ctx context.Context, name string, w io.Writer) error {
	cw := &CountingWriter{W: w}
	p := r.p
	transient := p.Transient
	p.Transient = func(err error) bool { return cw.N == 0 && transient(err) }
	return p.Do(ctx, func() error { return r.Target.Get(ctx, name, cw) })
}

// Sweep passes the cleaning of what a killed run left to the target that
// has one (S3).
func (r *retrying) Sweep(ctx context.Context) (int, error) {
	if s, ok := r.Target.(interface {
		Sweep(context.Context) (int, error)
	}); ok {
		return s.Sweep(ctx)
	}
	return 0, nil
}

// CountingWriter counts the bytes written through it to W.
type CountingWriter struct {
	W io.Writer
	N int64
}

func (c *CountingWriter) Write(p []byte) (int, error) {
	n, err := c.W.Write(p)
	c.N += int64(n)
	return n, err
}
