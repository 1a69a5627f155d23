package layering

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/styliteag/birdseye/"

// A layer is a rank and its packages. Dependencies point down: commands →
// app → assembly → configuration → features and sinks → clients → leaves.
type layer struct {
	name string
	rank int
	pkgs []string
}

var layers = []layer{
	// Leaves import nothing of ours: anyone may use them.
	{"leaf", 0, []string{"internal/event", "internal/version", "internal/archive", "internal/logging", "internal/memtrim",
		"internal/metrics", "internal/roots", "internal/schedule", "internal/timecursor", "internal/nburl", "internal/follow",
		"internal/sshremote", "internal/monitor", "internal/retention", "internal/sqlitefile", "internal/retry", "internal/pgdsn", "internal/dockerapi"}},
	// Clients and infrastructure: the NetBird API client (and its
	// in-process stand-in, which the demo serves), the Sink interface and
	// what sinks share, the state file, the backup targets.
	{"client", 1, []string{"internal/netbird", "internal/netbird/fake", "internal/sink", "internal/sink/httppost", "internal/render",
		"internal/state", "internal/target"}},
	// Sinks deliver events; features do one job each. Neither imports the
	// other, nor the configuration: they are handed what they need.
	{"sink", 2, []string{"internal/sink/chat", "internal/sink/email", "internal/sink/file", "internal/sink/mattermost",
		"internal/sink/ntfy", "internal/sink/splunk", "internal/sink/elastic", "internal/sink/loki", "internal/sink/otlp", "internal/sink/stdout", "internal/sink/syslog", "internal/sink/webhook"}},
	{"feature", 2, []string{"internal/allowping", "internal/audit", "internal/backup", "internal/changes", "internal/cleanup",
		"internal/clone", "internal/eventsdb", "internal/export", "internal/initiator", "internal/mirror", "internal/offsite", "internal/certwatch", "internal/pgdump",
		"internal/outbox", "internal/posture", "internal/proxylog", "internal/setupkeys", "internal/stream", "internal/tables",
		"internal/traffic", "internal/updates", "internal/watch", "internal/fleet", "internal/lint", "internal/configdoc"}},
	// The environment contract: it reads and checks, it builds nothing.
	{"configuration", 3, []string{"internal/config"}},
	// Assembly: the configuration turned into clients, sinks and jobs.
	{"assembly", 4, []string{"internal/apiclient", "internal/apibudget", "internal/destinations", "internal/jobs",
		"internal/doctor", "internal/demo"}},
	{"app", 5, []string{"internal/app"}},
	{"command", 6, []string{"cmd/birdseye"}},
	// Test kits: real servers and faithful stand-ins for tests, and the
	// tools of the build. No program imports them.
	{"test kit", -1, []string{"internal/netbird/nbtest", "internal/netbird/realtest", "internal/sink/sinktest",
		"internal/sink/email/smtptest", "internal/sink/mattermost/mmfake", "internal/sink/otlp/otelcoltest", "internal/vltest", "internal/testbin", "internal/sshremote/sshtest", "internal/target/s3test", "internal/pgtest", "internal/promtest",
		"internal/clone/clonetest", "internal/clone/clonetest/nbstandin", "internal/layering", "internal/tools/netbirdbuild",
		"internal/tools/testreport", "docker"}},
}

var (
	// sinkMay is all a sink may import: a sink never imports another sink;
	// what they share lives in sink, sink/httppost and render.
	sinkMay = []string{"internal/sink", "internal/sink/httppost", "internal/render", "internal/event", "internal/version"}
	// netbirdMay: the API client knows nothing of birdseye's configuration.
	netbirdMay = []string{"internal/event", "internal/version", "internal/nburl"}
	// featurePairs are the features that may import another, and why.
	featurePairs = map[[2]string]string{
		{"internal/backup", "internal/export"}: "the API export archive is the export's files, encrypted",
	}
	// sameLayer are the layers whose packages may import each other.
	sameLayer = []string{"client", "assembly"}
)

type pkg struct {
	ImportPath                         string
	Imports, TestImports, XTestImports []string
}

func packages(t *testing.T) []pkg {
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = "../.."
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	dec := json.NewDecoder(out)
	var all []pkg
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else {
			require.NoError(t, err)
		}
		p.ImportPath = strings.TrimPrefix(p.ImportPath, module)
		p.Imports = ours(p.Imports)
		p.TestImports = ours(append(p.TestImports, p.XTestImports...))
		all = append(all, p)
	}
	require.NoError(t, cmd.Wait())
	return all
}

func ours(imports []string) []string {
	var out []string
	for _, i := range imports {
		if strings.HasPrefix(i, module) {
			out = append(out, strings.TrimPrefix(i, module))
		}
	}
	return out
}

func place(p string) (layer, bool) {
	for _, l := range layers {
		if slices.Contains(l.pkgs, p) {
			return l, true
		}
	}
	return layer{}, false
}

// importProblem says why p may not import i, or "".
func importProblem(p, i string) string {
	lp, ok := place(p)
	if !ok {
		return p + " is in no layer: place it in internal/layering's test (and docs/development.md)"
	}
	li, ok := place(i)
	if !ok {
		return i + " is in no layer: place it in internal/layering's test (and docs/development.md)"
	}
	switch {
	case lp.name == "test kit":
		if li.name == "app" || li.name == "command" {
			return fmt.Sprintf("%s imports %s: a test kit never imports the program", p, i)
		}
		return ""
	case li.name == "test kit":
		return fmt.Sprintf("%s imports the test kit %s: no program does", p, i)
	case lp.name == "leaf":
		return fmt.Sprintf("%s imports %s: it is a leaf and imports nothing of ours", p, i)
	case lp.name == "sink" && !slices.Contains(sinkMay, i):
		return fmt.Sprintf("%s imports %s: a sink imports only %s", p, i, strings.Join(sinkMay, ", "))
	case p == "internal/netbird" && !slices.Contains(netbirdMay, i):
		return fmt.Sprintf("internal/netbird imports %s: the API client imports only %s", i, strings.Join(netbirdMay, ", "))
	case lp.name == "configuration" && li.name != "leaf":
		return fmt.Sprintf("%s imports %s (a %s): the configuration imports only leaves", p, i, li.name)
	case lp.name == "feature" && li.name == "feature":
		if _, ok := featurePairs[[2]string{p, i}]; !ok {
			return fmt.Sprintf("%s imports %s: a feature imports another only as a named pair (featurePairs)", p, i)
		}
		return ""
	case lp.name == "feature" && li.name == "sink", lp.name == "sink" && li.name == "feature":
		return fmt.Sprintf("%s imports %s: sinks and features do not import each other", p, i)
	case lp.rank == li.rank && lp.name == li.name && slices.Contains(sameLayer, lp.name):
		return ""
	case li.rank >= lp.rank:
		return fmt.Sprintf("%s (%s) imports %s (%s): dependencies point down", p, lp.name, i, li.name)
	}
	return ""
}

// testImportProblem says why p's tests may not import i, or "". Tests may
// use test kits and real parts from anywhere (a backup test mails through
// the real e-mail sink), but never the app or a command, and a leaf's
// tests stay a leaf's.
func testImportProblem(p, i string) string {
	lp, _ := place(p)
	li, ok := place(i)
	switch {
	case !ok:
		return i + " is in no layer: place it in internal/layering's test"
	case (li.name == "app" && lp.name != "command") || (li.name == "command" && p != i):
		return fmt.Sprintf("the tests of %s import %s: only the command assembles the program", p, i)
	case lp.name == "leaf" && li.name != "leaf" && li.name != "test kit":
		return fmt.Sprintf("the tests of %s import %s: a leaf's tests import leaves and test kits", p, i)
	}
	return ""
}

func TestDependenciesPointDownLayerByLayer(t *testing.T) {
	all := packages(t)
	require.Greater(t, len(all), 30, "go list found the packages")
	for _, p := range all {
		if _, ok := place(p.ImportPath); !ok {
			t.Errorf("%s is in no layer: place it in internal/layering's test (and docs/development.md)", p.ImportPath)
			continue
		}
		for _, i := range p.Imports {
			if msg := importProblem(p.ImportPath, i); msg != "" {
				t.Error(msg)
			}
		}
		for _, i := range p.TestImports {
			if msg := testImportProblem(p.ImportPath, i); msg != "" {
				t.Error(msg)
			}
		}
	}
}

// The rules catch what they are for: each wrong import below is refused.
func TestTheRulesRefuseTheWrongImports(t *testing.T) {
	for _, c := range []struct{ p, i, want string }{
		{"internal/config", "internal/backup", "the configuration imports only leaves"},
		{"internal/config", "internal/target", "the configuration imports only leaves"},
		{"internal/clone", "internal/backup", "a feature imports another only as a named pair"},
		{"internal/backup", "internal/sink/email", "sinks and features do not import each other"},
		{"internal/sink/webhook", "internal/sink/mattermost", "a sink imports only"},
		{"internal/sink/httppost", "internal/config", "dependencies point down"},
		{"internal/netbird", "internal/config", "the API client imports only"},
		{"internal/jobs", "internal/app", "dependencies point down"},
		{"internal/event", "internal/render", "it is a leaf"},
		{"internal/backup", "internal/netbird/nbtest", "no program does"},
		{"internal/newthing", "internal/event", "is in no layer"},
	} {
		require.Contains(t, importProblem(c.p, c.i), c.want, "%s → %s", c.p, c.i)
	}
	require.Empty(t, importProblem("internal/backup", "internal/export"), "a named pair")
	require.Empty(t, importProblem("internal/jobs", "internal/destinations"), "assembly within itself")
	require.Contains(t, testImportProblem("internal/backup", "internal/app"), "only the command assembles the program")
	require.Contains(t, testImportProblem("internal/event", "internal/netbird"), "a leaf's tests import leaves and test kits")
	require.Empty(t, testImportProblem("internal/backup", "internal/sink/email"))
}

// docs/development.md names every package in its layout, so a new one is
// placed and described where the next reader looks.
func TestTheDevelopmentDocNamesEveryPackage(t *testing.T) {
	doc, err := os.ReadFile("../../docs/development.md")
	require.NoError(t, err)
	for _, p := range packages(t) {
		if !strings.Contains(string(doc), "`"+p.ImportPath+"`") {
			t.Errorf("docs/development.md's layout does not name `%s`", p.ImportPath)
		}
	}
}
