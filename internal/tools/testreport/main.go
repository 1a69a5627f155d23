// Command testreport reads `go test -json` and prints what `go test` prints
// without -v (a line per package, the whole output of what failed), then
// the tests that were skipped, with their reasons, and the tests that
// failed, by name. Without -v, go test
// hides a skip; `make test` must not let a test that could not run (no
// Docker engine, no 7-Zip) pass for one that ran. The exit code is 1 when
// anything failed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
)

type testEvent struct {
	Action  string
	Package string
	Test    string
	Elapsed float64
	Output  string
}

func main() { os.Exit(run(os.Stdin, os.Stdout)) }

func run(in io.Reader, out io.Writer) int {
	type key struct{ pkg, test string }
	output := map[key]*strings.Builder{}
	var skips, fails []string
	failedTests := map[string]bool{} // packages with a failed test
	failed := false
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e testEvent
		if json.Unmarshal(line, &e) != nil || e.Action == "" {
			fmt.Fprintln(out, string(line)) // not an event: a build error, say
			continue
		}
		k := key{e.Package, e.Test}
		switch e.Action {
		case "build-output":
			fmt.Fprint(out, e.Output)
		case "build-fail":
			failed = true
		case "output":
			b := output[k]
			if b == nil {
				b = &strings.Builder{}
				output[k] = b
			}
			b.WriteString(e.Output)
		case "skip":
			if e.Test != "" {
				skips = append(skips, fmt.Sprintf("%s %s: %s", e.Package, e.Test, reason(output[k])))
			}
			delete(output, k)
		case "pass":
			if e.Test == "" {
				fmt.Fprintf(out, "ok  \t%s\t%.3fs\n", e.Package, e.Elapsed)
			}
			delete(output, k)
		case "fail":
			failed = true
			if e.Test == "" {
				// A test still running when its package failed never ended: the
				// binary died (go test's -timeout, a crash). Its output says why.
				for _, k2 := range slices.SortedFunc(maps.Keys(output), func(a, b key) int { return strings.Compare(a.test, b.test) }) {
					if k2.pkg == e.Package && k2.test != "" {
						fmt.Fprint(out, output[k2].String())
						fails = append(fails, e.Package+" "+k2.test+" (it never ended: see its output above)")
						failedTests[e.Package] = true
						delete(output, k2)
					}
				}
			}
			switch {
			case e.Test != "":
				fails = append(fails, e.Package+" "+e.Test)
				failedTests[e.Package] = true
			case !failedTests[e.Package]:
				fails = append(fails, e.Package+" (the package: no test of it failed; see its output above)")
			}
			if b := output[k]; b != nil {
				fmt.Fprint(out, b.String())
			}
			if e.Test == "" {
				fmt.Fprintf(out, "FAIL\t%s\t%.3fs\n", e.Package, e.Elapsed)
			}
			delete(output, k)
		}
	}
	if len(skips) > 0 {
		fmt.Fprintf(out, "\n%d tests skipped (they did not run; the reason is theirs):\n", len(skips))
		for _, s := range skips {
			fmt.Fprintln(out, "  SKIP "+s)
		}
	}
	if len(fails) > 0 {
		fmt.Fprintf(out, "\n%d failed:\n", len(fails))
		for _, f := range fails {
			fmt.Fprintln(out, "  FAIL "+f)
		}
	}
	if failed {
		return 1
	}
	return 0
}

// reason is what a skipped test said, without go test's own lines.
func reason(b *strings.Builder) string {
	if b == nil {
		return "(no reason given)"
	}
	var parts []string
	for _, l := range strings.Split(b.String(), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "=== ") || strings.HasPrefix(l, "--- SKIP") {
			continue
		}
		// "file_test.go:42: the reason" → "the reason"
		if i := strings.Index(l, ".go:"); i >= 0 {
			if j := strings.Index(l[i+4:], ": "); j >= 0 {
				l = l[i+4+j+2:]
			}
		}
		parts = append(parts, l)
	}
	if len(parts) == 0 {
		return "(no reason given)"
	}
	return strings.Join(parts, " ")
}
