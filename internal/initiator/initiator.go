// Package initiator names who caused an audit event. NetBird leaves the name
// and e-mail empty when the initiator is a setup key or a service user, so
// birdseye looks the id up in GET /api/users and GET /api/setup-keys. Unlike
// the old tool's start-up snapshot, the lookups are refreshed when an unknown
// id appears, at most once per MinRefresh, so new keys and users get names.
package initiator

import (
	"cmp"
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird"
)

// Directory is where names come from; *netbird.Client is one.
type Directory interface {
	ListUsers(ctx context.Context) ([]netbird.User, error)
	ListSetupKeys(ctx context.Context) ([]netbird.SetupKey, error)
}

// MinRefresh bounds the lookups to two requests a minute, well inside
// NetBird's optional rate limit (6 a minute per token) together with the poll.
const MinRefresh = time.Minute

// Resolver labels initiators. It is safe for concurrent use.
type Resolver struct {
	dir Directory
	log *slog.Logger
	// FillNames also sets initiator_name and initiator_email of a user
	// the event leaves unnamed, as the API does: events read from the
	// store (EVENTS_SOURCE=db) carry only the id.
	FillNames bool

	mu          sync.Mutex
	users, keys map[string]string
	names       map[string]string // the user's name and e-mail, for FillNames
	emails      map[string]string
	lastTry     time.Time
	lastErr     string
	tried       map[string]bool // ids that refreshed the lookups once already
}

// New returns a resolver that has not looked anything up yet.
func New(dir Directory, log *slog.Logger) *Resolver {
	return &Resolver{dir: dir, log: log}
}

// Resolve sets InitiatorLabel on every event, refreshing the lookups first if
// an id is unknown and the last refresh is older than MinRefresh. A failed
// lookup is logged (once per distinct error) and never stops the caller.
func (r *Resolver) Resolve(ctx context.Context, evs []event.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tried == nil {
		r.tried = map[string]bool{}
	}
	for i := range evs {
		// An unknown id, or (for names filled in here) a change to users,
		// refreshes the lookups, at most once per MinRefresh. With names
		// filled in, an id never seen before does so at once, and only
		// once: the store is read every second, and a new service user's
		// first action must carry its name, as the API gives it. The ids
		// are users and setup keys: few, so these refreshes are too.
		_, known := r.label(evs[i])
		userEvent := r.FillNames && (strings.HasPrefix(evs[i].ActivityCode, "user.") || strings.HasPrefix(evs[i].ActivityCode, "service.user."))
		newID := r.FillNames && !known && !r.tried[evs[i].InitiatorID]
		if (!known || userEvent) && time.Since(r.lastTry) >= MinRefresh || newID {
			r.tried[evs[i].InitiatorID] = true
			r.refresh(ctx)
			break
		}
	}
	for i := range evs {
		e := &evs[i]
		if r.FillNames && r.emails != nil {
			r.fill(e)
		}
		e.InitiatorLabel, _ = r.label(*e)
	}
}

// fill gives an event read from the store what the API adds to it
// (management/server/event.go): the initiator's name and e-mail when the
// event has none, the e-mail and name of a target that is a user of the
// account as meta email and username, and the meta keys in the API's
// order (a JSON object of a Go map: sorted).
func (r *Resolver) fill(e *event.Event) {
	if email, ok := r.emails[e.InitiatorID]; ok && e.InitiatorName == "" && e.InitiatorEmail == "" {
		e.InitiatorName, e.InitiatorEmail = r.names[e.InitiatorID], email
	}
	if email, ok := r.emails[e.TargetID]; ok {
		e.Meta = e.Meta.With("email", email).With("username", r.names[e.TargetID])
	}
	e.Meta = e.Meta.Sorted()
}

func (r *Resolver) label(e event.Event) (string, bool) {
	basic, ok := e.BasicInitiator()
	if ok {
		return basic, true
	}
	// Setup keys are checked before users, as in the old tool.
	if name, found := r.keys[e.InitiatorID]; found {
		return "setup-key:" + name, true
	}
	if name, found := r.users[e.InitiatorID]; found {
		return name, true
	}
	return basic, false
}

func (r *Resolver) refresh(ctx context.Context) {
	r.lastTry = time.Now()
	users, uerr := r.dir.ListUsers(ctx)
	keys, kerr := r.dir.ListSetupKeys(ctx)
	if uerr == nil {
		r.users = make(map[string]string, len(users))
		r.names, r.emails = make(map[string]string, len(users)), make(map[string]string, len(users))
		for _, u := range users {
			if u.ID != "" {
				r.users[u.ID] = cmp.Or(u.Name, u.Email, u.ID)
				// The API names service users too (v0.77.1: their name, no e-mail).
				r.names[u.ID], r.emails[u.ID] = u.Name, u.Email
			}
		}
	}
	if kerr == nil {
		r.keys = make(map[string]string, len(keys))
		for _, k := range keys {
			if k.ID != "" {
				r.keys[k.ID] = cmp.Or(k.Name, k.ID)
			}
		}
	}
	for _, err := range []error{uerr, kerr} {
		if err == nil || err.Error() == r.lastErr {
			continue
		}
		r.lastErr = err.Error()
		hint := ""
		if netbird.KindOf(err) == netbird.KindAuth {
			hint = "the token cannot read users or setup keys; initiators show as id:<prefix>"
		}
		r.log.Warn("initiator lookup failed", "err", err, "hint", hint)
	}
	if uerr == nil && kerr == nil {
		r.lastErr = ""
	}
}
