package updates

import (
	"context"
	"fmt"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird"
)

// The events' codes.
const (
	CodeNetBird  = "birdseye.netbird.update_available"
	CodeBirdseye = "birdseye.update_available"
)

// The sources, as the state and the metrics name them.
const (
	FromServer   = "server"   // /api/instance/version
	FromPeers    = "peers"    // the newest version a peer runs
	FromRelease  = "release"  // UPDATE_SOURCE_URL
	FromBirdseye = "birdseye" // UPDATE_BIRDSEYE_URL
)

// API is what the check reads of NetBird; *netbird.Client is one.
type API interface {
	GetInstanceVersion(ctx context.Context) (netbird.InstanceVersion, error)
	ListPeers(ctx context.Context) ([]netbird.Peer, error)
}

// Source gives the newest release version (URLSource).
type Source interface {
	Latest(ctx context.Context) (string, error)
	String() string
}

// Checker reads every source once a round.
type Checker struct {
	API      API
	Release  Source // nil: off (UPDATE_SOURCE_URL=off)
	Own      Source // nil: off (UPDATE_BIRDSEYE_URL empty)
	Birdseye string // the running birdseye's version
}

// Reading is what one round learnt.
type Reading struct {
	Current    Version // the management server's running version
	HasCurrent bool
	// Management is the newest management release known, and where it was
	// seen; Dashboard and Own the newest of theirs (zero when unknown).
	Management                          Version
	ManagementFrom                      string
	Dashboard, Own                      Version
	HasManagement, HasDashboard, HasOwn bool
	// Errs are the sources that could not be read this round.
	Errs map[string]error
}

// Read reads every source that is on.
func (c Checker) Read(ctx context.Context) Reading {
	r := Reading{Errs: map[string]error{}}
	consider := func(s, from string) {
		v, ok := Parse(s)
		if !ok || v.Pre() {
			return // not a version, or a pre-release: never announced
		}
		if !r.HasManagement || v.Newer(r.Management) {
			r.Management, r.ManagementFrom, r.HasManagement = v, from, true
		}
	}
	if iv, err := c.API.GetInstanceVersion(ctx); err != nil {
		r.Errs[FromServer] = err
	} else {
		r.Current, r.HasCurrent = Parse(iv.Current)
		consider(iv.ManagementLatest, "the management server")
		if v, ok := Parse(iv.DashboardLatest); ok && !v.Pre() {
			r.Dashboard, r.HasDashboard = v, true
		}
	}
	if c.Release != nil {
		if s, err := c.Release.Latest(ctx); err != nil {
			r.Errs[FromRelease] = err
		} else {
			consider(s, "the release source")
		}
	}
	if peers, err := c.API.ListPeers(ctx); err != nil {
		r.Errs[FromPeers] = err
	} else {
		for _, p := range peers {
			consider(p.Version, "peer "+p.Name+" runs it")
		}
	}
	if c.Own != nil {
		if s, err := c.Own.Latest(ctx); err != nil {
			r.Errs[FromBirdseye] = err
		} else if v, ok := Parse(s); ok && !v.Pre() {
			r.Own, r.HasOwn = v, true
		}
	}
	return r
}

// State is what was told and when each source was last read, kept in
// updates.json beside the state file.
type State struct {
	Told map[string]bool `json:"told"` // "management 0.78.0", "dashboard 2.23.0", "birdseye 1.1.0"
	// Dashboard is the newest dashboard release learnt: the running
	// dashboard's version cannot be read, so the first one is learnt
	// quietly and only a later one is announced.
	Dashboard string               `json:"dashboard,omitempty"`
	Read      map[string]time.Time `json:"read"`    // last successful read, by source
	Failing   map[string]time.Time `json:"failing"` // first failure since then, by source
}

// NewState is the state of a first start.
func NewState() *State {
	return &State{Told: map[string]bool{}, Read: map[string]time.Time{}, Failing: map[string]time.Time{}}
}

// Tell updates st with a reading and returns the events to send: each
// newer release once.
func Tell(st *State, r Reading, birdseye string, sources []string, now time.Time) []event.Event {
	for _, s := range sources {
		if err := r.Errs[s]; err != nil {
			if _, ok := st.Failing[s]; !ok {
				st.Failing[s] = now
			}
			continue
		}
		st.Read[s] = now
		delete(st.Failing, s)
	}
	var out []event.Event
	if r.HasCurrent && r.HasManagement && r.Management.Newer(r.Current) {
		key := "management " + r.Management.String()
		if !st.Told[key] {
			st.Told[key] = true
			out = append(out, newRelease(CodeNetBird, "management", fmt.Sprintf("NetBird %s is available (management runs %s)", r.Management, r.Current.Raw),
				r.Current.Raw, r.Management, r.ManagementFrom, "https://github.com/netbirdio/netbird/releases/tag/v"+r.Management.String(), now))
		}
	}
	if r.HasDashboard {
		known, ok := Parse(st.Dashboard)
		switch {
		case !ok:
			st.Dashboard = r.Dashboard.String() // learnt quietly
		case r.Dashboard.Newer(known):
			st.Dashboard = r.Dashboard.String()
			out = append(out, newRelease(CodeNetBird, "dashboard", "NetBird dashboard "+r.Dashboard.String()+" is released",
				"", r.Dashboard, "the management server", "https://github.com/netbirdio/dashboard/releases/tag/v"+r.Dashboard.String(), now))
		}
	}
	if cur, ok := Parse(birdseye); ok && r.HasOwn && r.Own.Newer(cur) {
		key := "birdseye " + r.Own.String()
		if !st.Told[key] {
			st.Told[key] = true
			out = append(out, newRelease(CodeBirdseye, "birdseye", fmt.Sprintf("birdseye %s is available (this one is %s)", r.Own, birdseye),
				birdseye, r.Own, "the release source", "https://github.com/styliteag/birdseye/releases/tag/v"+r.Own.String(), now))
		}
	}
	return out
}

func newRelease(code, component, title, current string, available Version, from, notes string, now time.Time) event.Event {
	e := event.Event{Stream: event.StreamWatch, Key: code + "|" + component + "|" + available.String(), Labels: []string{code},
		Timestamp: now.UTC().Format(time.RFC3339Nano), ActivityCode: code, Activity: title, InitiatorID: "sys", InitiatorLabel: "birdseye", TargetID: component}
	add := func(k, v string) {
		if v != "" {
			e.Meta = append(e.Meta, event.MetaField{Key: k, Value: v})
		}
	}
	add("component", component)
	add("current", current)
	add("available", available.String())
	add("seen_by", from)
	add("notes", notes)
	return e
}
