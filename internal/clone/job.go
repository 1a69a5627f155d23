package clone

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/sshremote"
	"github.com/styliteag/birdseye/internal/state"
)

// Options is the standby clone as configured (jobs.CloneOptions reads it
// from CLONE_*): what to stage, where the standby is, and how verify
// reaches both sides.
type Options struct {
	Remote       sshremote.Config
	Payload      string    // CLONE_PAYLOAD_DIR on the standby
	Plan         StagePlan // Images, Now and SourceHost are filled by Stage
	ImageRepos   []string  // CLONE_IMAGES
	DockerSocket string
	ACMERemote   string
	Ingress      Stack // Root "" = no ingress to merge certificates into
	// Primary is NB_URL with NB_API_KEY; Token "" = nothing can be verified.
	Primary API
	// StandbyDial is the standby's address as clients would reach it
	// (CLONE_STANDBY_IP with the primary's port).
	StandbyDial string
	// LockFile serialises the actions that change the standby: the
	// scheduled refresh and a command run by hand share the state
	// directory, and an install must not read a payload a push is
	// rewriting. "" = no lock.
	LockFile string
	// AfterFailover lets a refresh act on a target failover.sh made the
	// live server (clone run --after-failover); the schedule never does.
	AfterFailover bool
}

// Exclusive takes the clone's lock for an action that changes the standby;
// call the returned function when done. Another action holding it is an
// error that says so: nothing waits.
func (o Options) Exclusive() (func(), error) {
	if o.LockFile == "" {
		return func() {}, nil
	}
	// The state directory, as the daemon makes it: a command run before
	// the daemon ever started has none yet.
	if err := os.MkdirAll(filepath.Dir(o.LockFile), 0o700); err != nil {
		return nil, fmt.Errorf("lock the clone: make the state directory: %w", err)
	}
	l, holder, err := state.TryLock(o.LockFile)
	if errors.Is(err, state.ErrBusy) {
		return nil, fmt.Errorf("another clone action is running (pid %s: the scheduled refresh, or a command in another shell); nothing was done, try again when it has finished", holder)
	}
	if err != nil {
		return nil, fmt.Errorf("lock the clone: %w", err)
	}
	return l.Release, nil
}

// Lock takes the standby's own lock (flock on a file beside the payload
// directory), held until release: two birdseye instances, or two state
// directories, acting on one standby are serialised there too. The lock
// goes with the SSH connection, so a birdseye that dies cannot leave it
// taken. A standby without flock is acted on unlocked, with a note.
func (o Options) Lock(ctx context.Context, c *sshremote.Client, w io.Writer) (func(), error) {
	lock := path.Join(path.Dir(strings.TrimRight(o.Payload, "/")), ".birdseye-clone.lock")
	host, _ := os.Hostname()
	who := fmt.Sprintf("%s pid %d since %s", host, os.Getpid(), time.Now().UTC().Format(time.RFC3339))
	cmd := "L=" + sshremote.Quote(lock) + "; WHO=" + sshremote.Quote(who) + "; export L WHO\n" +
		`mkdir -p "$(dirname "$L")"
if ! command -v flock >/dev/null 2>&1; then echo noflock; exit 0; fi
flock -n "$L" -c 'printf "%s\n" "$WHO" > "$L.who"; echo locked; exec cat >/dev/null' || echo "busy $(cat "$L.who" 2>/dev/null)"`
	first, release, err := c.Hold(ctx, "bash -c "+sshremote.Quote(cmd))
	if err != nil {
		return nil, fmt.Errorf("lock the standby: %w", err)
	}
	switch {
	case first == "locked":
		return release, nil
	case first == "noflock":
		release()
		fmt.Fprintln(w, "  note: the standby has no flock (util-linux): it is not locked against another birdseye")
		return func() {}, nil
	case strings.HasPrefix(first, "busy"):
		release()
		holder := strings.TrimSpace(strings.TrimPrefix(first, "busy"))
		if holder == "" {
			holder = "unknown"
		}
		return nil, fmt.Errorf("another birdseye is acting on the standby (%s, lock %s); nothing was done, try again when it has finished", holder, lock)
	}
	release()
	return nil, fmt.Errorf("lock the standby: unexpected answer %q", first)
}

// DialLocked is Dial and Lock: for the actions that change the standby.
// done closes both.
func (o Options) DialLocked(ctx context.Context, w io.Writer) (c *sshremote.Client, done func(), err error) {
	if c, err = o.Dial(ctx); err != nil {
		return nil, nil, err
	}
	release, err := o.Lock(ctx, c, w)
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	return c, func() { release(); c.Close() }, nil
}

// Targets are the configured stacks on the standby.
func (o Options) Targets() []Target { return o.Plan.Targets }

// Failover is the stack failover.sh starts.
func (o Options) Failover() Target { return o.Plan.Failover }

// Dial opens the SSH connection to the standby; close it when done.
func (o Options) Dial(ctx context.Context) (*sshremote.Client, error) {
	c, err := sshremote.Dial(ctx, o.Remote)
	if err != nil {
		return nil, fmt.Errorf("connect to the standby: %w", err)
	}
	return c, nil
}

// Stage snapshots and copies everything into CLONE_STAGE_DIR, then (unless
// dryRun) pushes it to the standby and places failover.sh in the failover
// target. The primary is only read.
func (o Options) Stage(ctx context.Context, w io.Writer, dryRun bool, now time.Time) error {
	if err := o.stageHere(ctx, w, now); err != nil {
		return err
	}
	if dryRun {
		if o.Remote.Host == "" {
			fmt.Fprintln(w, "DRY RUN — staged here; CLONE_SSH_HOST is not set, so there is no standby to push to yet")
			return nil
		}
		fmt.Fprintf(w, "DRY RUN — would push to %s:%s/\n", o.Remote.Host, o.Payload)
		return nil
	}
	c, done, err := o.DialLocked(ctx, w)
	if err != nil {
		return err
	}
	defer done()
	return o.push(ctx, c, w)
}

// stageHere fills CLONE_STAGE_DIR.
func (o Options) stageHere(ctx context.Context, w io.Writer, now time.Time) error {
	plan := o.Plan
	plan.Now = now
	plan.SourceHost, _ = os.Hostname()
	images, tags, notes, err := ImageDigests(ctx, o.DockerSocket, o.ImageRepos)
	if err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintf(w, "  images: %s\n", n)
	}
	plan.Images, plan.ImageTags = images, tags
	m, err := Stage(plan, w)
	if err != nil {
		return err
	}
	var bytes int64
	for _, f := range m.Files {
		bytes += f.Bytes
	}
	fmt.Fprintf(w, "Staged %d files, %.1f MB, in %s\n", len(m.Files)+2, float64(bytes)/1e6, plan.Dir)
	return nil
}

// push sends the staged payload and places failover.sh.
func (o Options) push(ctx context.Context, c *sshremote.Client, w io.Writer) error {
	st, err := Push(ctx, c, o.Plan.Dir, o.Payload)
	if err != nil {
		return err
	}
	st.Text(w)
	if err := (Standby{Shell: c, Payload: o.Payload}).PlaceFailoverScript(o.Failover()); err != nil {
		return err
	}
	fmt.Fprintf(w, "failover.sh placed in %s\n", o.Failover().Root)
	return nil
}

// Describe lists what an install would do to each target, for the prompt.
func Describe(w io.Writer, m *Manifest, targets []Target) {
	fmt.Fprintf(w, "staged %s from %s for %s; holds %s\n", m.Created, m.SourceHost, m.Primary, countsText(m.Counts))
	var restarts []string
	for _, t := range targets {
		what := "stopped; answers for " + t.Host + " once started"
		if t.Autostart {
			what = "runs continuously as " + t.Host
			restarts = append(restarts, t.Name)
		}
		fmt.Fprintf(w, "  -> %-8s %s  (%s)\n", t.Name, t.Root, what)
	}
	msg := "The primary is not touched."
	if len(restarts) > 0 {
		msg += " Restarts on the standby: " + strings.Join(restarts, ", ") + "."
	}
	fmt.Fprintln(w, msg)
}

// Install installs the staged payload into each target, then merges the
// primary's certificates into the ingress when a target asks for it.
func (o Options) Install(ctx context.Context, s Standby, targets []Target, w io.Writer) error {
	for _, t := range targets {
		fmt.Fprintf(w, "== install %s\n", t.Name)
		if err := s.Install(ctx, t, w); err != nil {
			return err
		}
	}
	return o.mergeCertificates(ctx, s, targets, w)
}

// mergeCertificates merges the staged ACME store into the ingress's, once,
// when one of targets asks for the certificates.
func (o Options) mergeCertificates(ctx context.Context, s Standby, targets []Target, w io.Writer) error {
	certs := false
	for _, t := range targets {
		certs = certs || t.CertCopy
	}
	if !certs || o.Ingress.Root == "" || o.ACMERemote == "" || o.Plan.ACMESource == "" {
		return nil
	}
	f, err := s.Shell.SFTP().Open(path.Join(s.Payload, "acme.json"))
	if err != nil {
		return fmt.Errorf("read the staged acme.json on the standby: %w", err)
	}
	primary, err := io.ReadAll(io.LimitReader(f, 64<<20))
	f.Close()
	if err != nil {
		return fmt.Errorf("read the staged acme.json on the standby: %w", err)
	}
	domains, err := s.CopyCertificates(ctx, o.Ingress, primary, o.ACMERemote, w)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "certificates in the ingress: %s\n", strings.Join(domains, ", "))
	return nil
}

// Verifier compares a started target with the primary; nil when there is
// no token (NB_API_KEY) to do it with.
func (o Options) Verifier() VerifyFunc {
	if o.Primary.Token == "" {
		return nil
	}
	return func(ctx context.Context, t Target) *Verification {
		return Verify(ctx, t.Name, o.Primary, o.standbyAPI(t))
	}
}

// standbyAPI is the target as clients would reach it after a DNS change:
// its own name (the primary's, unless _HOST says otherwise) at the
// standby's address.
func (o Options) standbyAPI(t Target) API {
	a := o.Primary
	a.URL = "https://" + t.Host
	if u, err := url.Parse(o.Primary.URL); err == nil {
		u.Scheme, u.Host = "https", t.Host
		if o.Plan.Port != "" {
			u.Host = net.JoinHostPort(t.Host, o.Plan.Port)
		}
		a.URL = u.String()
	}
	a.Dial = o.StandbyDial
	return a
}
