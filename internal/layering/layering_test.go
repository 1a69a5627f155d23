package layering

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/styliteag/birdseye/"

// The rules. Dependencies point one way: commands → app → features →
// clients and infrastructure.
var (
	// leaves import nothing of ours: anyone may use them.
	leaves = []string{"internal/event", "internal/version", "internal/archive", "internal/logging", "internal/memtrim",
		"internal/metrics", "internal/roots", "internal/schedule", "internal/timecursor", "internal/nburl", "internal/follow",
		"internal/sink/email/smtptest", "internal/sink/mattermost/mmfake", "internal/tools/testreport",
		"internal/sshremote", "internal/sshremote/sshtest", "internal/monitor", "internal/netbird/realtest"}
	// sinkMay is all a sink may import: a sink never imports another sink;
	// what they share lives in sink, sink/httppost and render.
	sinkMay = []string{"internal/sink", "internal/sink/httppost", "internal/render", "internal/event", "internal/version"}
	// netbirdMay: the API client knows nothing of birdseye's configuration.
	netbirdMay = []string{"internal/event", "internal/version", "internal/nburl"}
)

type pkg struct {
	ImportPath string
	Imports    []string
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
		var ours []string
		for _, i := range p.Imports {
			if strings.HasPrefix(i, module) {
				ours = append(ours, strings.TrimPrefix(i, module))
			}
		}
		p.Imports = ours
		all = append(all, p)
	}
	require.NoError(t, cmd.Wait())
	return all
}

func TestDependenciesPointOneWay(t *testing.T) {
	all := packages(t)
	require.Greater(t, len(all), 30, "go list found the packages")
	for _, p := range all {
		for _, i := range p.Imports {
			switch {
			case i == "internal/app" && !strings.HasPrefix(p.ImportPath, "cmd/"):
				t.Errorf("%s imports internal/app: only cmd assembles the program", p.ImportPath)
			case strings.HasPrefix(i, "cmd/"):
				t.Errorf("%s imports %s: nothing imports a command", p.ImportPath, i)
			case slices.Contains(leaves, p.ImportPath):
				t.Errorf("%s imports %s: it is a leaf and imports nothing of ours", p.ImportPath, i)
			case isSink(p.ImportPath) && !slices.Contains(sinkMay, i):
				t.Errorf("%s imports %s: a sink imports only %s", p.ImportPath, i, strings.Join(sinkMay, ", "))
			case p.ImportPath == "internal/netbird" && !slices.Contains(netbirdMay, i):
				t.Errorf("internal/netbird imports %s: the API client imports only %s", i, strings.Join(netbirdMay, ", "))
			}
		}
	}
}

// isSink: the packages under internal/sink/ that deliver (not the fakes and
// the shared conformance suite, which tests may use).
func isSink(p string) bool {
	return strings.HasPrefix(p, "internal/sink/") && p != "internal/sink/sinktest" && p != "internal/sink/httppost" && !slices.Contains(leaves, p)
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
