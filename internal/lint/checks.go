package lint

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/netbird"
)

// Checks are every check, in the order a report lists them within a
// severity.
var Checks = []Check{
	{ID: "policy-all-to-all", Severity: Critical, Title: "An accept policy from All to All",
		Why: "Every peer reaches every other on every port: one compromised laptop reaches every server. It is NetBird's Default policy, meant to be replaced.",
		Fix: "Write policies between specific groups (Access Control → Policies), then disable or delete this one.", run: allToAll},
	{ID: "policy-all-ports-from-all", Severity: High, Title: "All ports to or from All",
		Why: "A rule with All on one side and every port open gives each peer of the network all services of the other side.",
		Fix: "Name the groups that need access and the ports they need; keep All out of accept rules.", run: allPorts},
	{ID: "policy-ssh-from-all", Severity: High, Title: "SSH allowed from All",
		Why: "Any peer, a guest's laptop included, can open SSH (port 22 or NetBird SSH) to the destination.",
		Fix: "Allow SSH from an admins' group only.", run: sshFromAll},
	{ID: "policy-missing-posture-check", Severity: High, Title: "A policy names a posture check that does not exist",
		Why: "The policy was meant to admit only compliant devices; the check it names is gone, so nothing is checked.",
		Fix: "Attach an existing posture check to the policy, or remove the stale reference.", run: missingPosture},
	{ID: "route-without-healthy-router", Severity: High, Title: "An enabled route without a connected routing peer",
		Why: "Clients keep routing the network through NetBird, and nothing answers.",
		Fix: "Bring a routing peer of the route back, add a second one (high availability), or disable the route.", run: routesDown},
	{ID: "setupkey-reusable-forever", Severity: High, Title: "A reusable setup key that never expires",
		Why: "Whoever copies it can enrol machines into the network for ever: keys end up in scripts, images and chat logs.",
		Fix: "Replace it with a key that expires (Setup Keys: create a new one, revoke this one).", run: keyForever},
	{ID: "service-admin-long-token", Severity: High, Title: "An admin service user with a long-lived token",
		Why: "A service user's token cannot be protected by SSO or MFA; with admin rights and months of validity a leak owns the account.",
		Fix: "Give the automation the role it needs (auditor, user), and tokens of 90 days or less.", run: adminTokens},
	{ID: "setupkey-reusable-unlimited", Severity: Medium, Title: "A reusable setup key without a usage limit",
		Why: "There is no ceiling on how many machines it enrols before someone notices.",
		Fix: "Set a usage limit that fits the rollout (a new key: the limit cannot be changed in place).", run: keyUnlimited},
	{ID: "login-expiration-off", Severity: Medium, Title: "Peer login expiration is off",
		Why: "A peer enrolled by SSO stays in the network for ever, even after its user has left.",
		Fix: "Settings → Authentication: turn peer login expiration on (NetBird's default is 24 hours; a week or a month is common).", run: loginExpiry},
	{ID: "peer-stale-with-access", Severity: Medium, Title: "A peer not seen for long still has access",
		Why: "A machine gone for months (sold, lost, re-installed) can come back with the same key and the same access.",
		Fix: "Delete the peer (Peers), or remove it from the groups policies name; `birdseye peers prune` does it on a schedule.", run: stalePeers},
	{ID: "user-blocked-with-tokens", Severity: Medium, Title: "A blocked user with tokens that still work",
		Why: "Blocking a user stops their logins; their personal access tokens are a separate way in.",
		Fix: "Delete the user's access tokens (Team → Users → the user).", run: blockedTokens},
	{ID: "nameserver-reaches-no-peer", Severity: Medium, Title: "A nameserver group whose groups have no peers",
		Why: "It is enabled but reaches no peer: the DNS it was made for does not happen.",
		Fix: "DNS → Nameservers: distribute it to the groups whose peers need it, or disable it.", run: nameservers},
	{ID: "token-never-used", Severity: Low, Title: "An access token never used",
		Why: "A token nobody uses is an unneeded way in.",
		Fix: "Delete it; make a new one when it is needed.", run: unusedTokens},
	{ID: "group-empty-in-policy", Severity: Low, Title: "A policy names a group without peers or resources",
		Why: "The rule does nothing today and starts doing something the day a peer joins the group, unreviewed.",
		Fix: "Remove the group from the rule, or delete the rule.", run: emptyGroups},
	{ID: "policy-disabled-long", Severity: Info, Title: "A policy disabled for long",
		Why: "A disabled policy is forgotten access waiting to be switched back on.",
		Fix: "Delete it if it is not coming back.", run: oldDisabled},
	{ID: "posture-check-unused", Severity: Info, Title: "A posture check attached to no policy",
		Why: "It checks nothing: whoever made it may believe it does.",
		Fix: "Attach it to the policies it was made for, or delete it.", run: unusedPosture},
}

func isAll(refs []netbird.GroupRef) bool {
	return slices.ContainsFunc(refs, func(g netbird.GroupRef) bool { return g.Name == "All" })
}

func names(refs []netbird.GroupRef) string {
	var out []string
	for _, g := range refs {
		out = append(out, g.Name)
	}
	return strings.Join(out, ",")
}

// accepting are the enabled accept rules of enabled policies.
func accepting(a *Account, fn func(p netbird.Policy, r netbird.PolicyRule)) {
	for _, p := range a.Policies {
		if !p.Enabled {
			continue
		}
		for _, r := range p.Rules {
			if r.Enabled && r.Action == "accept" {
				fn(p, r)
			}
		}
	}
}

func allToAll(a *Account, _ Options, f *finder) {
	accepting(a, func(p netbird.Policy, r netbird.PolicyRule) {
		if isAll(r.Sources) && isAll(r.Destinations) {
			f.add("policy", p.Name, p.ID, p.Description, fmt.Sprintf("rule %q: All → All, %s", r.Name, ports(r)))
		}
	})
}

func allPortsOpen(r netbird.PolicyRule) bool {
	switch r.Protocol {
	case "all":
		return true
	case "tcp", "udp":
		return len(r.Ports) == 0 && len(r.PortRanges) == 0 ||
			slices.ContainsFunc(r.PortRanges, func(pr netbird.PortRange) bool { return pr.Start <= 1 && pr.End >= 65535 })
	}
	return false
}

func ports(r netbird.PolicyRule) string {
	if allPortsOpen(r) {
		return r.Protocol + ", every port"
	}
	var ps []string
	ps = append(ps, r.Ports...)
	for _, pr := range r.PortRanges {
		ps = append(ps, fmt.Sprintf("%d-%d", pr.Start, pr.End))
	}
	return r.Protocol + " " + strings.Join(ps, ",")
}

func allPorts(a *Account, _ Options, f *finder) {
	accepting(a, func(p netbird.Policy, r netbird.PolicyRule) {
		from, to := isAll(r.Sources), isAll(r.Destinations)
		if (from || to) && !(from && to) && allPortsOpen(r) {
			f.add("policy", p.Name, p.ID, p.Description, fmt.Sprintf("rule %q: %s → %s, %s", r.Name, names(r.Sources), names(r.Destinations), ports(r)))
		}
	})
}

func allowsSSH(r netbird.PolicyRule) bool {
	if r.Protocol == "netbird-ssh" {
		return true
	}
	if r.Protocol != "tcp" || allPortsOpen(r) { // every port: policy-all-ports-from-all says it
		return false
	}
	if slices.Contains(r.Ports, "22") {
		return true
	}
	return slices.ContainsFunc(r.PortRanges, func(pr netbird.PortRange) bool { return pr.Start <= 22 && pr.End >= 22 })
}

func sshFromAll(a *Account, _ Options, f *finder) {
	accepting(a, func(p netbird.Policy, r netbird.PolicyRule) {
		if allowsSSH(r) && (isAll(r.Sources) || r.Bidirectional && isAll(r.Destinations)) && !(isAll(r.Sources) && isAll(r.Destinations)) {
			f.add("policy", p.Name, p.ID, p.Description, fmt.Sprintf("rule %q: %s → %s, %s", r.Name, names(r.Sources), names(r.Destinations), ports(r)))
		}
	})
}

func missingPosture(a *Account, _ Options, f *finder) {
	have := map[string]bool{}
	for _, pc := range a.PostureChecks {
		have[pc.ID] = true
	}
	for _, p := range a.Policies {
		for _, id := range p.SourcePostureChecks {
			if !have[id] {
				f.add("policy", p.Name, p.ID, p.Description, "posture check "+id+" does not exist")
			}
		}
	}
}

func unusedPosture(a *Account, _ Options, f *finder) {
	used := map[string]bool{}
	for _, p := range a.Policies {
		for _, id := range p.SourcePostureChecks {
			used[id] = true
		}
	}
	for _, pc := range a.PostureChecks {
		if !used[pc.ID] {
			f.add("posture check", pc.Name, pc.ID, pc.Description, "attached to no policy")
		}
	}
}

func routesDown(a *Account, _ Options, f *finder) {
	connected := map[string]bool{}
	members := map[string][]string{}
	for _, p := range a.Peers {
		connected[p.ID] = p.Connected
		for _, g := range p.Groups {
			members[g.ID] = append(members[g.ID], p.ID)
		}
	}
	for _, r := range a.Routes {
		if !r.Enabled {
			continue
		}
		var peers []string
		if r.Peer != "" {
			peers = append(peers, r.Peer)
		}
		for _, g := range r.PeerGroups {
			peers = append(peers, members[g]...)
		}
		if !slices.ContainsFunc(peers, func(id string) bool { return connected[id] }) {
			f.add("route", r.NetworkID, r.ID, r.Description, fmt.Sprintf("%d routing peers, none connected", len(peers)))
		}
	}
}

// forever is how far away an expiry counts as never: NetBird writes a
// key made with expires_in 0 far in the future, or none.
const forever = 5 * 365 * 24 * time.Hour

func keyForever(a *Account, o Options, f *finder) {
	for _, k := range a.SetupKeys {
		if k.Type == "reusable" && k.Valid && !k.Revoked && (k.Expires.IsZero() || k.Expires.Sub(o.Now) > forever) {
			f.add("setup key", k.Name, k.ID, "", "never expires")
		}
	}
}

func keyUnlimited(a *Account, _ Options, f *finder) {
	for _, k := range a.SetupKeys {
		if k.Type == "reusable" && k.Valid && !k.Revoked && k.UsageLimit == 0 {
			f.add("setup key", k.Name, k.ID, "", fmt.Sprintf("no usage limit (used %d times)", k.UsedTimes))
		}
	}
}

func adminTokens(a *Account, o Options, f *finder) {
	for _, u := range a.Users {
		if !u.IsServiceUser || u.Role != "admin" && u.Role != "owner" {
			continue
		}
		for _, t := range a.Tokens[u.ID] {
			if left := t.ExpirationDate.Sub(o.Now); left > 90*24*time.Hour {
				f.add("access token", u.Name+"/"+t.Name, t.ID, "", fmt.Sprintf("role %s, valid %d more days", u.Role, int(left.Hours()/24)))
			}
		}
	}
}

func loginExpiry(a *Account, _ Options, f *finder) {
	if !a.Settings.PeerLoginExpirationEnabled {
		f.add("account", "settings", "", "", "peer_login_expiration_enabled is false")
	}
}

func stalePeers(a *Account, o Options, f *finder) {
	groups := map[string]bool{}
	accepting(a, func(_ netbird.Policy, r netbird.PolicyRule) {
		for _, g := range append(slices.Clone(r.Sources), r.Destinations...) {
			groups[g.ID] = true
		}
	})
	limit := time.Duration(o.StaleDays) * 24 * time.Hour
	for _, p := range a.Peers {
		if p.Connected || p.LastSeen.IsZero() || o.Now.Sub(p.LastSeen) < limit {
			continue
		}
		var in []string
		for _, g := range p.Groups {
			if groups[g.ID] {
				in = append(in, g.Name)
			}
		}
		if len(in) > 0 {
			f.add("peer", p.Name, p.ID, "", fmt.Sprintf("last seen %s (%d days ago), in %s", p.LastSeen.UTC().Format("2006-01-02"),
				int(o.Now.Sub(p.LastSeen).Hours()/24), strings.Join(in, ",")))
		}
	}
}

func blockedTokens(a *Account, o Options, f *finder) {
	for _, u := range a.Users {
		if !u.IsBlocked {
			continue
		}
		n := 0
		for _, t := range a.Tokens[u.ID] {
			if t.ExpirationDate.After(o.Now) {
				n++
			}
		}
		if n > 0 {
			f.add("user", u.Name, u.ID, "", strconv.Itoa(n)+" tokens still valid")
		}
	}
}

func nameservers(a *Account, _ Options, f *finder) {
	peers := map[string]int{}
	for _, g := range a.Groups {
		peers[g.ID] = g.PeersCount
	}
	for _, ns := range a.Nameservers {
		n := 0
		for _, g := range ns.Groups {
			n += peers[g]
		}
		if ns.Enabled && n == 0 {
			f.add("nameserver group", ns.Name, ns.ID, ns.Description, fmt.Sprintf("enabled, distributed to %d groups without peers", len(ns.Groups)))
		}
	}
}

func unusedTokens(a *Account, o Options, f *finder) {
	for _, u := range a.Users {
		for _, t := range a.Tokens[u.ID] {
			if t.LastUsed.IsZero() && !t.CreatedAt.IsZero() && o.Now.Sub(t.CreatedAt) > 30*24*time.Hour && t.ExpirationDate.After(o.Now) {
				f.add("access token", u.Name+"/"+t.Name, t.ID, "", "made "+t.CreatedAt.UTC().Format("2006-01-02")+", never used")
			}
		}
	}
}

func emptyGroups(a *Account, _ Options, f *finder) {
	empty := map[string]netbird.Group{}
	for _, g := range a.Groups {
		if g.PeersCount == 0 && g.ResourcesCount == 0 && g.Name != "All" {
			empty[g.ID] = g
		}
	}
	accepting(a, func(p netbird.Policy, r netbird.PolicyRule) {
		for _, ref := range append(slices.Clone(r.Sources), r.Destinations...) {
			if g, ok := empty[ref.ID]; ok {
				f.add("policy", p.Name, p.ID, p.Description, fmt.Sprintf("rule %q names group %s, which has no peers or resources", r.Name, g.Name))
			}
		}
	})
}

func oldDisabled(a *Account, o Options, f *finder) {
	if a.PolicyEvents == nil {
		return // the audit log was not read: the age is not known (a gap says so)
	}
	last := map[string]time.Time{}
	for _, e := range a.PolicyEvents {
		if t, ok := e.Time(); ok && t.After(last[e.TargetID]) {
			last[e.TargetID] = t
		}
	}
	limit := time.Duration(o.DisabledDays) * 24 * time.Hour
	for _, p := range a.Policies {
		if p.Enabled {
			continue
		}
		switch t, ok := last[p.ID]; {
		case !ok:
			f.add("policy", p.Name, p.ID, p.Description, "disabled, and not changed within the audit log's window")
		case o.Now.Sub(t) > limit:
			f.add("policy", p.Name, p.ID, p.Description, "disabled, last changed "+t.UTC().Format("2006-01-02"))
		}
	}
}
