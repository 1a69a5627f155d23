package doctor

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/styliteag/birdseye/internal/certwatch"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/jobs"
	"github.com/styliteag/birdseye/internal/monitor"
	"github.com/styliteag/birdseye/internal/updates"
)

// certsProbe reads the endpoints the certificate watch would read, now.
func certsProbe(cfg *config.Config) func(ctx context.Context, now time.Time) ([]certwatch.Reading, string) {
	return func(ctx context.Context, now time.Time) ([]certwatch.Reading, string) {
		ts, unread := jobs.CertTargets(cfg)
		roots := jobs.CertRoots(cfg)
		var rs []certwatch.Reading
		for _, t := range ts {
			rctx, cancel := context.WithTimeout(ctx, certwatch.HandshakeTimeout)
			rs = append(rs, certwatch.Read(rctx, t, roots, now))
			cancel()
		}
		return rs, unread
	}
}

// checkCerts says of each watched TLS endpoint when its chain expires, and
// fails one a client would refuse now.
func checkCerts(ctx context.Context, cfg *config.Config, p Probes, now time.Time, add func(Result)) {
	if p.Certs == nil || !bool(cfg.Watch.On) {
		return
	}
	rs, unread := p.Certs(ctx, now)
	if unread != "" {
		add(Result{Warn, "TLS certificates", unread, "mount NetBird's management.json (or config.yaml) read-only where NB_MANAGEMENT_CONFIG says"})
	}
	leads, _ := cfg.Watch.CertLeads()
	warnAt := -1
	if len(leads) > 0 {
		warnAt = slices.Max(leads)
	}
	for _, r := range rs {
		name := "TLS " + r.String()
		switch days := r.Days(now); {
		case r.Problem != "":
			add(Result{Fail, name, r.Problem + " (" + r.From + ")", "clients refuse this endpoint: renew the certificate or send the whole chain"})
		case days <= warnAt:
			add(Result{Warn, name, fmt.Sprintf("%s expires in %d days, %s (%s)", r.Subject, days, r.Expires.UTC().Format("2006-01-02"), r.From), "renew it before clients refuse the connection"})
		default:
			add(Result{OK, name, fmt.Sprintf("%s expires in %d days, %s (%s)", r.Subject, days, r.Expires.UTC().Format("2006-01-02"), r.From), ""})
		}
	}
}

// checkUpdates says which version the management server runs and whether
// a newer release is known, from the same sources as the daily check;
// what could not be read is said as such, never as up to date.
func checkUpdates(ctx context.Context, cfg *config.Config, p Probes, now time.Time, add func(Result)) {
	c := jobs.UpdateChecker(cfg, p.API)
	r := c.Read(ctx)
	if err := r.Errs[updates.FromServer]; err != nil {
		add(Result{Warn, "NetBird version", err.Error(), "older servers do not tell their version"})
		return
	}
	st, err := updates.LoadState(filepath.Join(filepath.Dir(cfg.Forwarder.StateFile), "updates.json"))
	if err != nil {
		st = updates.NewState()
	}
	for src := range r.Errs {
		if _, ok := st.Failing[src]; !ok {
			st.Failing[src] = now
		}
	}
	s := updates.Status(st, r, c.Release != nil, now)
	status := OK
	if s.Status != monitor.OK {
		status = Warn
	}
	hint := ""
	if r.Errs[updates.FromRelease] != nil {
		hint = "reach " + cfg.Watch.UpdateSource + " from here, point UPDATE_SOURCE_URL at a mirror or a file, or set it to off (air-gapped)"
	}
	add(Result{status, "NetBird version", s.Text, hint})
}
