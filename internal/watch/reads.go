// The watch's reads besides the round's own: the slow ones, and who
// made the setup keys and invites.

package watch

import (
	"context"
	"errors"
	"fmt"

	"github.com/styliteag/birdseye/internal/netbird"
)

// readSlow reads what rarely changes, every SlowEvery (or at once after an
// audit event that changes it): routes, network routers, the account's
// settings, invites and proxy tokens, and, for the fleet metrics, the
// policies. A part that fails is left as last read.
func (l *Loop) readSlow(ctx context.Context) error {
	var errs []error
	if routes, err := l.api.ListRoutes(ctx); err != nil {
		errs = append(errs, fmt.Errorf("watch routes: %w", err))
	} else {
		l.slow.routing = routes
	}
	if !l.slow.noRouter {
		routers, err := l.api.ListNetworkRouters(ctx)
		switch {
		case netbird.NoSuchRoute(err):
			l.slow.noRouter = true // an older server: routes only
		case err != nil:
			errs = append(errs, fmt.Errorf("watch network routers: %w", err))
		default:
			l.slow.routers = routers
		}
	}
	if settings, err := l.api.GetAccountSettings(ctx); err != nil {
		errs = append(errs, fmt.Errorf("watch account settings: %w", err))
	} else {
		l.slow.settings = settings
	}
	if !l.slow.noInvites {
		invites, err := l.api.ListInvites(ctx)
		switch {
		case netbird.NotOffered(err):
			l.slow.noInvites, l.slow.invites = true, nil
		case err != nil:
			errs = append(errs, fmt.Errorf("watch invites: %w", err))
		default:
			l.slow.invites = nonNil(invites)
		}
	}
	if l.cfg.Observe != nil {
		if policies, err := l.api.ListPolicies(ctx); err != nil {
			errs = append(errs, fmt.Errorf("watch policies (for the fleet metrics): %w", err))
		} else {
			l.slow.policies = nonNil(policies)
		}
	}
	if !l.slow.noProxy {
		tokens, err := l.api.ListProxyTokens(ctx)
		switch {
		case netbird.NotOffered(err):
			l.slow.noProxy = true
		case err != nil:
			errs = append(errs, fmt.Errorf("watch proxy tokens: %w", err))
		default:
			l.slow.proxy = tokens
		}
	}
	return errors.Join(errs...)
}

// routingPeers are the peers of enabled routes and network routers, named
// directly or through a group.
func routingPeers(peers []netbird.Peer, routes []netbird.Route, routers []netbird.NetworkRouter) map[string]bool {
	out := map[string]bool{}
	groups := map[string]bool{}
	add := func(enabled bool, peer string, peerGroups []string) {
		if !enabled {
			return
		}
		if peer != "" {
			out[peer] = true
		}
		for _, g := range peerGroups {
			groups[g] = true
		}
	}
	for _, r := range routes {
		add(r.Enabled, r.Peer, r.PeerGroups)
	}
	for _, r := range routers {
		add(r.Enabled, r.Peer, r.PeerGroups)
	}
	for _, p := range peers {
		for _, g := range p.Groups {
			if groups[g.ID] {
				out[p.ID] = true
			}
		}
	}
	return out
}

// ownerMissing is whether a setup key or an invite has no known owner.
func (l *Loop) ownerMissing(obs Observation) bool {
	for _, k := range obs.SetupKeys {
		if _, ok := l.st.Owners["setupkey|"+k.ID]; !ok {
			return true
		}
	}
	for _, inv := range obs.Invites {
		if _, ok := l.st.Owners["invite|"+inv.ID]; !ok {
			return true
		}
	}
	return false
}

// seedOwners reads the audit log once (the server's window, only the
// codes that make keys and invites decoded) for who made what birdseye
// did not see made. What the poller hands over later wins.
func (l *Loop) seedOwners(ctx context.Context, st *State) error {
	evs, err := l.api.ListAuditEventsOf(ctx, "setupkey.add", "user.invite.link.create", "user.invite.link.regenerate")
	if err != nil {
		return err
	}
	for i := len(evs) - 1; i >= 0; i-- { // newest first: the newest maker wins
		if k, who := ownerOf(evs[i]); k != "" {
			st.Owners[k] = who
		}
	}
	return nil
}

// nonNil keeps "read, none" apart from "not read" (nil): the radar forgets
// the owners of invites only when it has read them.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
