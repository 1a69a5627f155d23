package cleanup

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird"
)

// PruneOptions select ordinary peers that have been offline for long.
type PruneOptions struct {
	OfflineFor time.Duration
	Groups     []event.Glob // the peer must be in a group matching one (none = any)
	Names      []event.Glob // the peer's name must match one (none = any)
	Protect    []event.Glob // never delete a peer in a group matching one
	Max        int          // refuse to go on when more peers qualify
	Apply      bool         // delete; otherwise only report
}

// ErrTooMany is returned when more peers qualify than Max allows.
var ErrTooMany = fmt.Errorf("too many peers qualify")

// Prune deletes (with Apply) peers not connected and not seen for
// OfflineFor, within the group and name globs, outside the protected
// groups, at most Max of them.
func Prune(ctx context.Context, api API, o PruneOptions, now time.Time, w io.Writer) (Result, error) {
	var r Result
	peers, err := api.ListPeers(ctx)
	if err != nil {
		return r, fmt.Errorf("list peers: %w", err)
	}
	r.Total = len(peers)
	cutoff := now.Add(-o.OfflineFor)
	days := o.OfflineFor.Hours() / 24
	var targets []netbird.Peer
	var notes []string
	for _, p := range peers {
		if p.Connected || p.LastSeen.After(cutoff) || !matchAny(o.Names, p.Name) || !inGroups(o.Groups, p) {
			continue
		}
		if g := protectedBy(o.Protect, p); g != "" {
			notes = append(notes, fmt.Sprintf("  keep   %s: in protected group %s\n", label(p), g))
			r.Skipped++
			continue
		}
		targets = append(targets, p)
	}
	fmt.Fprintf(w, "Found %d peer(s) offline for more than %g days (of %d); %d protected.\n", len(targets), days, r.Total, r.Skipped)
	for _, n := range notes {
		io.WriteString(w, n)
	}
	if o.Max > 0 && len(targets) > o.Max {
		fmt.Fprintf(w, "Refusing: %d peers qualify, more than --max %d. Narrow with --group/--name or raise --max.\n", len(targets), o.Max)
		return r, fmt.Errorf("%w: %d peers, --max %d", ErrTooMany, len(targets), o.Max)
	}
	eligible := func(p netbird.Peer) string {
		if p.Connected {
			return "connected again"
		}
		if p.LastSeen.After(cutoff) {
			return "seen again"
		}
		return ""
	}
	for _, p := range targets {
		seen := fmt.Sprintf("last_seen=%s (%d days)", iso(p.LastSeen), int(now.Sub(p.LastSeen).Hours()/24))
		if p.LastSeen.Year() < 2000 {
			seen = "never seen"
		}
		if !o.Apply {
			fmt.Fprintf(w, "  would delete %s: %s\n", label(p), seen)
			r.Deleted++
			continue
		}
		if err := deleteChecked(ctx, api, p, eligible, seen, w, &r); err != nil {
			return r, err
		}
	}
	verb := "deleted"
	if !o.Apply {
		verb = "would delete"
	}
	summary := fmt.Sprintf("Done. %s=%d, protected=%d", verb, r.Deleted, r.Skipped)
	if r.Failed > 0 {
		summary += fmt.Sprintf(", failed=%d", r.Failed)
	}
	fmt.Fprintln(w, summary+".")
	if !o.Apply {
		fmt.Fprintln(w, "Dry run: nothing was deleted. Run again with --apply to delete.")
	}
	if r.Failed > 0 {
		return r, ErrSomeFailed
	}
	return r, nil
}

// deleteChecked fetches the peer again, deletes it if it still qualifies and
// reports. A failure is counted and the run goes on; only a refused token
// (which will refuse every other delete too) is returned.
func deleteChecked(ctx context.Context, api API, p netbird.Peer, eligible func(netbird.Peer) string, seen string, w io.Writer, r *Result) error {
	fresh, err := api.GetPeer(ctx, p.ID)
	switch {
	case netbird.KindOf(err) == netbird.KindNotFound:
		fmt.Fprintf(w, "  skip   %s: already gone\n", label(p))
		r.Skipped++
		return nil
	case err == nil && eligible(fresh) != "":
		fmt.Fprintf(w, "  skip   %s: %s (changed since the list was read)\n", label(p), eligible(fresh))
		r.Skipped++
		return nil
	case err == nil:
		fmt.Fprintf(w, "  delete %s: %s\n", label(p), seen)
		err = api.DeletePeer(ctx, p.ID)
	}
	if netbird.KindOf(err) == netbird.KindAuth {
		return fmt.Errorf("delete peer %s: %w", p.ID, err)
	}
	if err != nil {
		fmt.Fprintf(w, "  FAILED %s: %v\n", label(p), err)
		r.Failed++
		return nil
	}
	fmt.Fprintf(w, "  deleted %s\n", label(p))
	r.Deleted++
	return nil
}

func label(p netbird.Peer) string {
	return fmt.Sprintf("%s (id=%s, ip=%s)", cmp.Or(p.Name, "?"), p.ID, p.IP)
}

func matchAny(gs []event.Glob, s string) bool {
	if len(gs) == 0 {
		return true
	}
	for _, g := range gs {
		if g.Match(s) {
			return true
		}
	}
	return false
}

func inGroups(gs []event.Glob, p netbird.Peer) bool {
	if len(gs) == 0 {
		return true
	}
	for _, g := range p.Groups {
		if matchAny(gs, g.Name) {
			return true
		}
	}
	return false
}

func protectedBy(protect []event.Glob, p netbird.Peer) string {
	for _, g := range p.Groups {
		for _, pg := range protect {
			if pg.Match(g.Name) {
				return g.Name
			}
		}
	}
	return ""
}
