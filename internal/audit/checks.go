package audit

import (
	"context"

	"github.com/styliteag/birdseye/internal/netbird"
)

// reportOdd logs, once each (they are forwarded once), the entries that
// did not decode cleanly and were kept as well as they could be.
func (p *Poller) reportOdd(odd []netbird.OddEntry) {
	for _, o := range odd {
		kind := "kept_as_text"
		if o.Unreadable {
			kind = "unreadable"
		}
		p.cfg.Metrics.OddEntries(kind, 1)
		p.log.Warn("audit entry did not decode cleanly; forwarded what could be read", "id", o.ID, "problem", o.Problem)
	}
}

// checkBadIDs reports entries whose id is missing or not a decimal integer:
// they cannot be ordered against the cursor, so they are never forwarded.
// The list is re-read every poll, so only a rise in their number is logged.
func (p *Poller) checkBadIDs(list *netbird.AuditList) {
	if list.BadIDs > p.badIDs {
		p.cfg.Metrics.OddEntries("bad_id", list.BadIDs-p.badIDs)
		p.log.Warn("audit entries without a usable id (not a decimal integer) are not forwarded",
			"count", list.BadIDs, "ids", list.BadIDSamples)
	}
	p.badIDs = list.BadIDs
}

// checkBacklog warns once when one poll brings more new events than
// BACKLOG_WARN_THRESHOLD (a burst, or a long time down), and says when the
// backlog is caught up (a poll brings nothing new: the store source reads
// a backlog in pages, some smaller than the threshold). It counts the new
// events, not the list the server sends: that is every event it keeps, so
// a mature server warned at every start and a growing log never dropped
// back. A list the source held back (the sinks had no room for more) is
// part of the same backlog, however short.
func (p *Poller) checkBacklog(list *netbird.AuditList) {
	t, n := p.cfg.BacklogWarn, len(list.Events)
	switch {
	case t > 0 && n > t && !p.backlogWarned:
		p.backlogWarned = true
		p.log.Warn("audit-events backlog: more new events in one poll than BACKLOG_WARN_THRESHOLD; all are forwarded in order (sinks people read get the newest MAX_CATCHUP and a summary)",
			"new_events", n, "threshold", t)
	case p.backlogWarned && n == 0 && !list.HeldBack:
		p.backlogWarned = false
		p.log.Info("audit-events backlog caught up", "threshold", t)
	}
}

// checkGap reports events lost to the server's 10,000-event window: the list
// is full and even its oldest entry is newer than the cursor.
func (p *Poller) checkGap(ctx context.Context, list *netbird.AuditList) {
	c := p.st.Cursor
	if list.Count < netbird.AuditCap || list.MinID <= c.LastID+1 {
		return
	}
	from, to := c.LastID+1, list.MinID-1
	p.log.Error("events lost: more than 10,000 audit events arrived since the last poll and the API returns only the newest 10,000",
		"lost_from_id", from, "lost_to_id", to, "hint", "poll more often (POLL_INTERVAL) or keep birdseye running")
	p.alert.Gap(ctx, from, to)
	p.cfg.Metrics.EventsLost(int(to - from + 1))
}

// checkReset warns when the server's ids are all below the cursor: the
// NetBird database was replaced or restored, and new events stay invisible
// until their ids pass last_id.
func (p *Poller) checkReset(list *netbird.AuditList) {
	// Entries without a usable id (one beyond int64, say) say nothing of
	// where the server's ids stand: they are not "below last_id".
	if list.Count-list.BadIDs == 0 || list.MaxID >= p.st.Cursor.Floor || p.resetWarned {
		return
	}
	p.resetWarned = true
	p.log.Error("every event id on the server is below last_id: was the NetBird database replaced? events are forwarded again once ids pass last_id; stop birdseye and delete the state file to re-seed now",
		"server_max_id", list.MaxID, "last_id", p.st.Cursor.LastID)
}
