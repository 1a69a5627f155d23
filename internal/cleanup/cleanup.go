// Package cleanup deletes ephemeral peers that NetBird's own cleanup missed
// (its timers are lost when management restarts): ephemeral, not
// connected, and not seen for a while. Each peer is fetched again just
// before it is deleted, because the API's delete does not re-check that it is
// still disconnected. A failed delete is reported and the run goes on.
package cleanup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/styliteag/birdseye/internal/netbird"
)

// API is what the cleanup needs from NetBird; *netbird.Client is one.
type API interface {
	ListPeers(ctx context.Context) ([]netbird.Peer, error)
	GetPeer(ctx context.Context, id string) (netbird.Peer, error)
	DeletePeer(ctx context.Context, id string) error
}

// Options of a run.
type Options struct {
	MinAge time.Duration // last_seen must be older than this
	DryRun bool
}

// Result counts what a run did.
type Result struct {
	Total, Ephemeral, Deleted, Skipped, Failed int
}

// ErrSomeFailed is returned when at least one delete failed.
var ErrSomeFailed = errors.New("some peers could not be deleted")

func iso(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000-07:00") }

// Ephemeral runs the cleanup and writes the old tool's report to w.
func Ephemeral(ctx context.Context, api API, opt Options, now time.Time, w io.Writer) (Result, error) {
	var r Result
	peers, err := api.ListPeers(ctx)
	if err != nil {
		return r, fmt.Errorf("list peers: %w", err)
	}
	cutoff := now.Add(-opt.MinAge)
	r.Total = len(peers)
	for _, p := range peers {
		if p.Ephemeral {
			r.Ephemeral++
		}
	}
	fmt.Fprintf(w, "Found %d ephemeral peer(s) of %d total. Cutoff: last_seen < %s (--min-age-minutes=%g).\n",
		r.Ephemeral, r.Total, iso(cutoff), opt.MinAge.Minutes())
	for _, p := range peers {
		if !p.Ephemeral {
			continue
		}
		if reason := skipReason(p, cutoff); reason != "" {
			fmt.Fprintf(w, "  skip   %s: %s\n", label(p), reason)
			r.Skipped++
			continue
		}
		if opt.DryRun {
			fmt.Fprintf(w, "  would delete %s: last_seen=%s\n", label(p), iso(p.LastSeen))
			r.Deleted++
			continue
		}
		// The peer may have come back since the list was read.
		stillStale := func(p netbird.Peer) string { return skipReason(p, cutoff) }
		if err := deleteChecked(ctx, api, p, stillStale, "last_seen="+iso(p.LastSeen), w, &r); err != nil {
			return r, err
		}
	}
	verb := "deleted"
	if opt.DryRun {
		verb = "would delete"
	}
	summary := fmt.Sprintf("Done. %s=%d, skipped=%d", verb, r.Deleted, r.Skipped)
	if r.Failed > 0 {
		summary += fmt.Sprintf(", failed=%d", r.Failed)
	}
	fmt.Fprintln(w, summary+".")
	if r.Failed > 0 {
		return r, ErrSomeFailed
	}
	return r, nil
}

func skipReason(p netbird.Peer, cutoff time.Time) string {
	switch {
	case p.Connected:
		return "still connected"
	case p.LastSeen.IsZero() || p.LastSeen.Year() < 2000:
		return "missing last_seen"
	case !p.LastSeen.Before(cutoff):
		return "last_seen too recent (" + iso(p.LastSeen) + ")"
	}
	return ""
}
