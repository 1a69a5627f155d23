package eventsdb

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sync"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird"
)

// PageSize is how many events one poll reads at most: below the API's
// 10,000, so the poller's lost-events check (a full 10,000-event list
// whose oldest id is past the cursor) cannot fire on a page: nothing is
// lost here, a backlog is read page by page.
const PageSize = 5000

// Source gives the audit poller the store's events as the API would: the
// same AuditList, read after the cursor, in pages, with no 10,000 cap.
type Source struct {
	Store   *Store
	Account string
	// Room, when set, says how many events the sinks can take now
	// (outbox.Room; -1 = no limit). A page is never larger: the store
	// keeps what a slow sink cannot take yet, where an outbox would have
	// to drop it.
	Room func() int

	// Log says when the file was replaced and what that means; nil: quiet.
	Log *slog.Logger

	mu      sync.Mutex
	after   event.ID // the highest id handed out (or known old)
	started bool
}

// follow notices a file replaced, deleted or cut shorter at the path and
// reads the file now there, by the rule the API source follows for a
// restored database: ids at or below the cursor are not forwarded again,
// and that is said. A deleted file is an error until one is there again.
func (s *Source) follow(ctx context.Context) error {
	why := s.Store.Changed()
	if why == "" {
		return nil
	}
	next, err := s.Store.Reopen()
	if err != nil {
		return fmt.Errorf("events.db at %s was %s while birdseye ran, and what is there now does not open: %w", s.Store.Path(), why, err)
	}
	s.Store.Close()
	s.Store = next
	hi, err := next.maxID(ctx, s.Account)
	if err != nil {
		return err
	}
	if s.Log != nil {
		if s.started && hi < s.after {
			s.Log.Error("events.db was "+why+" while birdseye ran, and every event id in it is below last_id: was NetBird's database restored? "+
				"events are forwarded again once ids pass last_id; stop birdseye and delete the state file to re-seed now",
				"path", next.Path(), "newest_id", hi, "last_id", s.after)
		} else {
			s.Log.Warn("events.db was "+why+" while birdseye ran; reading the file now at the path from last_id on", "path", next.Path(), "newest_id", hi, "last_id", s.after)
		}
	}
	return nil
}

// ListAuditEvents is the poller's read. The first call finds where the
// cursor stands (keep says which ids are new; ids only grow); on a first
// boot it offers the newest events, as the API's list does, for BACKFILL.
func (s *Source) ListAuditEvents(ctx context.Context, keep func(event.ID) bool) (*netbird.AuditList, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.follow(ctx); err != nil {
		return nil, err
	}
	if !s.started {
		hi, err := s.Store.maxID(ctx, s.Account)
		if err != nil {
			return nil, err
		}
		s.started = true
		if hi == 0 || !keep(hi) {
			// A cursor beyond the newest stored id (keep takes ids above
			// it, not hi+1): the file is not the one the cursor was kept
			// against. A first boot (keep takes nothing) is not that.
			if hi > 0 && !keep(hi+1) && keep(math.MaxInt64) && s.Log != nil {
				s.Log.Error("every event id in events.db is below last_id: was NetBird's database replaced or restored? "+
					"events are forwarded again once ids pass last_id; stop birdseye and delete the state file to re-seed now",
					"path", s.Store.Path(), "newest_id", hi)
			}
			s.after = hi // nothing new (or a first boot without backfill)
			return &netbird.AuditList{MinID: hi, MaxID: hi}, nil
		}
		lo, err := s.Store.minID(ctx, s.Account)
		if err != nil {
			return nil, err
		}
		if keep(lo) && !keep(0) {
			// Every stored id is new to a cursor below them all.
			s.after = lo - 1
		} else if keep(0) {
			// A first boot with BACKFILL: the newest page, as the API.
			s.after = max(0, hi-PageSize)
			return s.page(ctx, keep, s.after, hi, PageSize)
		} else {
			s.after = firstNew(lo, hi, keep) - 1
		}
	}
	limit := PageSize
	if s.Room != nil {
		if room := s.Room(); room >= 0 {
			limit = min(limit, room)
		}
	}
	if limit == 0 {
		// The sinks are full: nothing read, the next poll asks again.
		return &netbird.AuditList{MinID: s.after, MaxID: s.after, HeldBack: true}, nil
	}
	list, err := s.page(ctx, keep, s.after, 0, limit)
	if err == nil && list.Count == limit {
		list.HeldBack = true // a full page: more may wait
	}
	return list, err
}

func (s *Source) page(ctx context.Context, keep func(event.ID) bool, after, maxHint event.ID, limit int) (*netbird.AuditList, error) {
	pg, err := s.Store.ReadPage(ctx, s.Account, after, limit)
	if err != nil {
		return nil, err
	}
	// Through may pass the account's last event (other accounts' ids, or
	// gaps that will not fill): the next read starts there.
	if pg.Waiting {
		maxHint = 0 // the ids above Through are read when they settle
	}
	list := &netbird.AuditList{Count: len(pg.Events), MinID: after, MaxID: max(after, maxHint, pg.Through), HeldBack: pg.Waiting}
	for _, e := range pg.Events {
		if list.MinID == after {
			list.MinID = e.ID
		}
		list.MaxID = max(list.MaxID, e.ID)
		if keep(e.ID) {
			list.Events = append(list.Events, e)
			if e.ActivityCode == event.CodeUnreadable {
				list.Odd = append(list.Odd, netbird.OddEntry{ID: e.ID, Problem: e.Meta.Get("error") + " (" + e.Meta.Get("raw") + "); forwarded as " + event.CodeUnreadable, Unreadable: true})
			}
		}
	}
	s.after = list.MaxID
	return list, nil
}

// firstNew is the lowest id in [lo, hi] that keep takes, by bisection:
// among committed rows ids only grow, so keep is false, then true.
func firstNew(lo, hi event.ID, keep func(event.ID) bool) event.ID {
	for lo < hi {
		mid := lo + (hi-lo)/2
		if keep(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}
