package doctor

// The probes as the configuration sets them up: the clients, the mail and
// webhook checks, the offsite host, the standby, the mirror's target, the
// events store and every other destination.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/apibudget"
	"github.com/styliteag/birdseye/internal/apiclient"
	"github.com/styliteag/birdseye/internal/clone"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/destinations"
	"github.com/styliteag/birdseye/internal/eventsdb"
	"github.com/styliteag/birdseye/internal/jobs"
	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/offsite"
	"github.com/styliteag/birdseye/internal/pgdsn"
	"github.com/styliteag/birdseye/internal/sink/email"
	"github.com/styliteag/birdseye/internal/sink/mattermost"
	"github.com/styliteag/birdseye/internal/state"
)

// ProbesFor builds the probes of a configuration loaded partially: cfgErr
// is what the load found wrong, reported one a line while everything that
// does not hang on it is still probed. sendTest is --send-test.
func ProbesFor(cfg *config.Config, cfgErr error, sendTest bool) (Probes, error) {
	p := Probes{Config: cfgErr, SendTest: sendTest, Secrets: config.SecretValues(), Environ: os.Environ(),
		Budget: func() (float64, string) { return apibudget.PerMinute(cfg) }}
	var err error
	if cfg.NetBird.URL == "" {
		p.APIErr = fmt.Errorf("not set")
	} else if p.API, p.APIErr = apiclient.New(cfg.NetBird, cfg.NetBird.APIKey.Reveal()); p.APIErr != nil {
		p.API = nil
	}
	if cfg.NetBird.AdminKey != "" && p.API != nil {
		if p.Admin, err = apiclient.New(cfg.NetBird, cfg.NetBird.AdminKey.Reveal()); err != nil {
			return p, err
		}
	}
	if m := cfg.SMTP; m.Host != "" {
		tr := destinations.SMTPTransport(m)
		tr.Timeout = 20 * time.Second
		mail := email.New(email.Config{Transport: tr, From: m.From, To: m.To}, cfg.Log.TZ.Loc)
		p.SMTPCheck = mail.Check
		p.SMTPSend = func(ctx context.Context) error {
			host, _ := os.Hostname()
			return mail.Send(ctx, email.ProbeSubject(host), "birdseye doctor --send-test: mail works.\n")
		}
	}
	if mm := cfg.Mattermost; mm.Enabled() {
		s := destinations.Mattermost(cfg)
		p.Webhook = func(ctx context.Context) error {
			host, _ := os.Hostname()
			return s.Post(ctx, mattermost.ProbeText(host, time.Now()))
		}
	}
	if cfg.Offsite.Host != "" {
		o := jobs.OffsiteOptions(cfg.Offsite, cfg.Forwarder.StateFile, cfg.Log.TZ.Loc)
		p.Offsite = func(ctx context.Context) (string, error) { return offsite.Check(ctx, o) }
	}
	if cfg.Clone.Host != "" {
		p.Clone = func(ctx context.Context) (string, error) {
			o, err := jobs.CloneOptions(cfg.Clone, cfg.NetBird, cfg.Forwarder.StateFile)
			if err != nil {
				return "", err
			}
			return clone.Check(ctx, o)
		}
	}
	if m := cfg.Mirror; m.URL != "" && m.APIKey != "" {
		p.Mirror = func(ctx context.Context) (string, string, error) { return mirrorProbe(ctx, cfg) }
	}
	if cfg.Events.FromDB() {
		p.EventsDB = func(ctx context.Context) (string, string, error) { return eventsProbe(ctx, cfg, p.API) }
	}
	p.Certs = certsProbe(cfg)
	// With bad settings these may fail again on the same values; the
	// configuration lines have said so already.
	targets, err := jobs.Targets(cfg.Backup, filepath.Dir(cfg.Forwarder.StateFile))
	if err != nil && cfgErr == nil {
		return p, err
	}
	for _, t := range targets {
		p.Targets = append(p.Targets, t)
	}
	if p.Destinations, err = configuredDestinations(cfg); err != nil && cfgErr == nil {
		return p, err
	}
	return p, nil
}

// configuredDestinations are the sinks besides stdout, Mattermost and mail (which
// doctor checks on their own), with a probe where one exists.
func configuredDestinations(cfg *config.Config) ([]Destination, error) {
	all, err := destinations.Configured(cfg, io.Discard)
	if err != nil {
		return nil, err
	}
	var out []Destination
	for _, s := range all {
		switch s.Name() {
		case "stdout", "mattermost", "email":
			continue
		}
		d := Destination{Name: s.Name(), Send: func(ctx context.Context) error {
			res, err := destinations.Test(ctx, cfg, io.Discard, s.Name())
			if err != nil {
				return err
			}
			return res[0].Err
		}}
		if c, ok := s.(interface{ Check(context.Context) error }); ok {
			d.Reach = c.Check
		}
		out = append(out, d)
	}
	return out, nil
}

// mirrorProbe: the target is another controller, answers with its token,
// the sections are known, and the token may write (a warning when not: a
// dry run only reads).
func mirrorProbe(ctx context.Context, cfg *config.Config) (string, string, error) {
	dst, err := jobs.MirrorTarget(ctx, cfg.NetBird, cfg.Mirror)
	var ce *config.Error
	if errors.Is(err, jobs.ErrSameHost) && errors.As(err, &ce) {
		return "", "", errors.New(strings.TrimPrefix(ce.Msg, "is the source: ")) // the line names MIRROR_URL
	}
	if err != nil {
		return "", "", err
	}
	if _, err := jobs.MirrorOptions(cfg.Mirror, cfg.Log.TZ.Loc, false, true, nil, nil); err != nil {
		return "", "", err
	}
	raw, err := dst.GetRaw(ctx, "/groups")
	if err != nil {
		return "", "", err
	}
	var groups []json.RawMessage
	json.Unmarshal(raw, &groups)
	msg := fmt.Sprintf("%s answers with MIRROR_API_KEY (%d groups); a run writes only with --apply or MIRROR_APPLY=true", dst.BaseURL(), len(groups))
	// The token's own user is the one the list marks is_current (service
	// users cannot read /users/current).
	var users []struct {
		Name, Role string
		IsCurrent  bool `json:"is_current"`
	}
	if raw, err := dst.GetRaw(ctx, "/users"); err == nil && json.Unmarshal(raw, &users) == nil {
		for _, u := range users {
			if u.IsCurrent && u.Role != "admin" && u.Role != "owner" {
				return msg, fmt.Sprintf("its user %s has the role %q: every write (--apply, MIRROR_APPLY=true) will be refused", u.Name, u.Role), nil
			}
		}
	}
	return msg, "", nil
}

// eventsProbe: the store opens read-only with the expected schema; the key
// opens the deleted users; how far the cursor is behind.
func eventsProbe(ctx context.Context, cfg *config.Config, api *netbird.Client) (string, string, error) {
	path := cfg.Events.Path(cfg.Backup.Paths)
	key, err := cfg.Events.StoreKey()
	if err != nil {
		return "", "", err
	}
	st, err := eventsdb.Open(path, key)
	if err != nil {
		if pgdsn.Is(path) {
			return "", "", err // it names the server, without the password
		}
		return "", "", fmt.Errorf("%s: %w", path, err)
	}
	defer st.Close()
	path = st.Path() // a DSN without its password
	account := cfg.Events.Account
	if account == "" && api != nil {
		account = eventsdb.APIAccount(ctx, api)
	}
	if account == "" {
		accounts, err := st.Accounts(ctx)
		if err != nil {
			return "", "", err
		}
		if len(accounts) > 0 {
			account = accounts[0]
		}
	}
	newest, err := st.MaxID(ctx, account)
	if err != nil {
		return "", "", err
	}
	msg := fmt.Sprintf("%s: readable, account %s, newest event %d", path, account, newest)
	if s, err := (state.File{Path: cfg.Forwarder.StateFile}).Load(); err == nil && s != nil {
		msg += fmt.Sprintf(", cursor at %d (%d behind)", s.Cursor.LastID, max(0, newest-s.Cursor.LastID))
	}
	total, readable, err := st.DeletedUsers(ctx)
	if err != nil {
		return msg, "", err
	}
	if total > readable {
		return msg, fmt.Sprintf("%d of %d deleted users cannot be named: set NB_DATASTORE_ENCRYPTION_KEY to NetBird's DataStoreEncryptionKey", total-readable, total), nil
	}
	return msg, "", nil
}
