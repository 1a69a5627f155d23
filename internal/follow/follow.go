// Package follow is the loop of every command that follows a stream
// (`events`, `traffic tail`, `proxy-logs tail`): poll every interval until
// the context ends; a failed poll is reported and retried, unless no retry
// can fix it (a refused token, an endpoint the server does not have).
package follow

import (
	"context"
	"time"
)

// Run polls every interval until ctx ends (then it returns nil). When a poll
// fails, fatal says whether to stop (it returns the error to end with, or nil
// to go on), and report is told of an error the loop goes past.
func Run(ctx context.Context, interval time.Duration, poll func(context.Context) error, fatal func(error) error, report func(error)) error {
	t := time.NewTimer(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		t.Reset(interval)
		err := poll(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err == nil {
			continue
		}
		if stop := fatal(err); stop != nil {
			return stop
		}
		report(err)
	}
}
