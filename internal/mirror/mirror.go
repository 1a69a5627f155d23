// Package mirror is `birdseye mirror` (the Python tool's mirror_account.py):
// it keeps a second NetBird controller's configuration in step with the
// primary's. Objects are matched by name, ids are remapped, a dry run is
// the default, and the source is only ever read: it is handed over as a
// type that has no method to write with.
package mirror

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/nburl"
	"github.com/styliteag/birdseye/internal/retry"
)

// Source is the primary: reads only.
type Source interface {
	GetRaw(ctx context.Context, path string) (json.RawMessage, error)
	BaseURL() string
}

// Target is the controller kept in step.
type Target interface {
	Source
	Send(ctx context.Context, method, path string, body any) (json.RawMessage, error)
}

// Sections are the old tool's, in its order, and "addresses": the
// account's address ranges and DNS domain, mirrored only when named
// (MIRROR_SECTIONS or --only), since a new range renumbers every peer of
// the target and a new domain renames them all.
var Sections = []string{"posture-checks", "groups", "networks", "resources", "routers", "policies", "routes",
	"setup-keys", "nameservers", "dns-settings", "users", "peers", "account", "addresses"}

// optIn are the sections left out unless named.
var optIn = []string{"addresses"}

// addressSettings are the account settings of the "addresses" section.
var addressSettings = []string{"network_range", "network_range_v6", "dns_domain"}

// Options are MIRROR_* and the command's flags.
type Options struct {
	Apply     bool
	Prune     bool
	Sections  []string // chosen, in any order; see Choose
	Protected []string // group names never created, changed or deleted
	Verbose   bool
	// CreateUsers creates the users the target lacks (people are invited).
	CreateUsers bool
	// SnapshotDir keeps a dump of the target before the first write (empty: none).
	SnapshotDir string
	Now         time.Time
	Loc         *time.Location
	// Reads retries a read of either side that failed for a passing
	// reason (a reset, a 5xx); writes are never repeated. Zero: no retry.
	Reads retry.Policy
}

// Counts is what a run did or would do.
type Counts struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
	Deleted int `json:"deleted"`
	Skipped int `json:"skipped"`
	Failed  int `json:"failed"`
	// Waiting are objects held back only by peers not yet on the target,
	// or users the target lacks while users are not created.
	Waiting int `json:"waiting"`
	// Unresolved are the other skips, "section: name — reason".
	Unresolved []string `json:"unresolved,omitempty"`
	// Changes are the plan's lines (what is in sync is left out).
	Changes []Change `json:"changes"`
	// Remaining is the plan after an apply: empty when the target matches.
	Remaining *Counts `json:"remaining,omitempty"`
}

func (c Counts) changes() int { return c.Created + c.Updated + c.Deleted }

// Choose is MIRROR_SECTIONS (or all) with --only replacing and --skip
// removing, in the canonical order. An unknown name is an error naming the
// known ones.
func Choose(configured, only, skip []string) ([]string, error) {
	chosen := configured
	if len(chosen) == 0 {
		for _, s := range Sections {
			if !slices.Contains(optIn, s) {
				chosen = append(chosen, s)
			}
		}
	}
	if len(only) > 0 {
		chosen = only
	}
	var unknown []string
	for _, s := range append(slices.Clone(chosen), skip...) {
		if !slices.Contains(Sections, s) {
			unknown = append(unknown, s)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("unknown section(s): %s; known: %s", strings.Join(unknown, ", "), strings.Join(Sections, ", "))
	}
	var out []string
	for _, s := range Sections {
		if slices.Contains(chosen, s) && !slices.Contains(skip, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// SameHost refuses a target that is the source: the same port and a host
// name that is the same or resolves to an address the other has. Both are
// read as the client reads them (a URL without a scheme is https); an
// IPv4 address written as IPv6 (::ffff:127.0.0.1) is that IPv4 address,
// ::1 is 127.0.0.1, and the unspecified address (0.0.0.0, ::), which a client reaches as
// this machine, is the same as any address of this machine.
func SameHost(ctx context.Context, a, b string) (bool, string) {
	ua, err1 := nburl.Normalise(a)
	ub, err2 := nburl.Normalise(b)
	if err1 != nil || err2 != nil {
		return false, ""
	}
	if port(ua) != port(ub) {
		return false, ""
	}
	ha, hb := strings.ToLower(ua.Hostname()), strings.ToLower(ub.Hostname())
	if ha == hb {
		return true, ua.Host
	}
	// ::1 is this machine as 127.0.0.1 is: a server on every interface
	// (NetBird's) answers both.
	canonical := func(ip netip.Addr) netip.Addr {
		if ip = ip.Unmap(); ip == netip.IPv6Loopback() {
			return netip.AddrFrom4([4]byte{127, 0, 0, 1})
		}
		return ip
	}
	addrs := func(h string) []netip.Addr {
		if ip, err := netip.ParseAddr(h); err == nil {
			return []netip.Addr{canonical(ip)}
		}
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		ips, err := net.DefaultResolver.LookupHost(ctx, h)
		if err != nil {
			return nil
		}
		var out []netip.Addr
		for _, s := range ips {
			if ip, err := netip.ParseAddr(s); err == nil {
				out = append(out, canonical(ip))
			}
		}
		return out
	}
	bs := addrs(hb)
	for _, ip := range addrs(ha) {
		for _, other := range bs {
			if ip == other || (ip.IsUnspecified() && isLocal(other)) || (other.IsUnspecified() && isLocal(ip)) {
				return true, fmt.Sprintf("%s and %s are both %s", ua.Host, ub.Host, net.JoinHostPort(other.String(), port(ua)))
			}
		}
	}
	return false, ""
}

// isLocal: a loopback address, the unspecified one, or an address of one
// of this machine's interfaces.
func isLocal(ip netip.Addr) bool {
	if ip.IsLoopback() || ip.IsUnspecified() {
		return true
	}
	ifaces, _ := net.InterfaceAddrs()
	for _, a := range ifaces {
		if p, err := netip.ParsePrefix(a.String()); err == nil && p.Addr().Unmap() == ip {
			return true
		}
	}
	return false
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "http" {
		return "80"
	}
	return "443"
}

// retrySource and retryTarget try a read again as the policy says.
type retrySource struct {
	Source
	p retry.Policy
}

func (r retrySource) GetRaw(ctx context.Context, path string) (json.RawMessage, error) {
	return retryRead(ctx, r.p, r.Source, path)
}

type retryTarget struct {
	Target
	p retry.Policy
}

func (r retryTarget) GetRaw(ctx context.Context, path string) (json.RawMessage, error) {
	return retryRead(ctx, r.p, r.Target, path)
}

func retryRead(ctx context.Context, p retry.Policy, s Source, path string) (json.RawMessage, error) {
	var raw json.RawMessage
	err := p.Do(ctx, func() error {
		var err error
		raw, err = s.GetRaw(ctx, path)
		return err
	})
	return raw, err
}

// Run plans (and with Apply, writes) every chosen section, reporting to
// out; with Apply a fresh plan afterwards must come out empty. The error is
// an abort (a read or an upsert the server refused); problems that let the
// run go on are in the counts.
func Run(ctx context.Context, src Source, dst Target, o Options, out io.Writer) (Counts, error) {
	mode := "DRY RUN"
	if o.Apply {
		mode = "APPLY"
	}
	if !o.Prune {
		mode += " (prune off)"
	}
	fmt.Fprintf(out, "source   %s   (read-only)\ntarget   %s\nmode     %s\nsections %s\n\n", src.BaseURL(), dst.BaseURL(), mode, strings.Join(o.Sections, ","))
	if o.Reads.Attempts > 1 {
		src, dst = retrySource{src, o.Reads}, retryTarget{dst, o.Reads}
	}
	p, err := newPlanner(ctx, src, dst, o, out)
	if err != nil {
		return Counts{}, fmt.Errorf("could not read both sides: %w", err)
	}
	fmt.Fprintf(out, "%-8s %s\n%-8s %s\n\n", "source", p.src.summary(), "target", p.dst.summary())
	if err := p.run(ctx); err != nil {
		fmt.Fprintf(out, "ABORTED: %v\n", err)
		return p.counts, err
	}
	c := p.counts
	verb := "planned"
	if o.Apply {
		verb = "applied"
	}
	fmt.Fprintf(out, "\n%s: %d created, %d updated, %d deleted, %d skipped, %d failed\n", verb, c.Created, c.Updated, c.Deleted, c.Skipped, c.Failed)
	if !o.Apply {
		fmt.Fprintln(out, "Re-run with --apply to execute.")
		return c, nil
	}
	rest, err := verify(ctx, src, dst, o, c, out)
	c.Remaining = rest
	return c, err
}

// verify plans again after an apply: the target must match now.
func verify(ctx context.Context, src Source, dst Target, o Options, applied Counts, out io.Writer) (*Counts, error) {
	fmt.Fprintln(out, "\nVerifying …")
	again := o
	again.Apply, again.Verbose = false, false
	var lines strings.Builder
	p, err := newPlanner(ctx, src, dst, again, &lines)
	if err == nil {
		err = p.run(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	c := p.counts
	if n := c.changes(); n > 0 {
		fmt.Fprintf(out, "%d difference(s) still outstanding:\n%s", n, lines.String())
	} else {
		fmt.Fprintln(out, "target matches the source for every selected section")
	}
	if c.Waiting > 0 {
		fmt.Fprintf(out, "%d object(s) waiting for peers to enrol or users to be created on the target\n", c.Waiting)
	}
	for _, u := range c.Unresolved {
		fmt.Fprintln(out, "UNRESOLVED "+u)
	}
	if c.changes() > 0 || len(c.Unresolved) > 0 || applied.Failed > 0 {
		return &c, fmt.Errorf("the target does not match the source: %d difference(s), %d unresolved, %d failed write(s)", c.changes(), len(c.Unresolved), applied.Failed)
	}
	return &c, nil
}
