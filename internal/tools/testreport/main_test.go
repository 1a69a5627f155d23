package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSkipsAreListedAndFailuresShownWhole(t *testing.T) {
	in := strings.Join([]string{
		`{"Action":"run","Package":"p/docker","Test":"TestImage"}`,
		`{"Action":"output","Package":"p/docker","Test":"TestImage","Output":"=== RUN   TestImage\n"}`,
		`{"Action":"output","Package":"p/docker","Test":"TestImage","Output":"    docker_test.go:44: skipped: no Docker engine reachable\n"}`,
		`{"Action":"output","Package":"p/docker","Test":"TestImage","Output":"--- SKIP: TestImage (0.00s)\n"}`,
		`{"Action":"skip","Package":"p/docker","Test":"TestImage"}`,
		`{"Action":"pass","Package":"p/docker","Elapsed":0.5}`,
		`{"Action":"output","Package":"p/a","Test":"TestB","Output":"    a_test.go:9: want 1, got 2\n"}`,
		`{"Action":"fail","Package":"p/a","Test":"TestB"}`,
		`{"Action":"fail","Package":"p/a","Elapsed":1}`,
	}, "\n")
	var out bytes.Buffer
	require.Equal(t, 1, run(strings.NewReader(in), &out))
	s := out.String()
	require.Contains(t, s, "ok  \tp/docker\t0.500s\n")
	require.Contains(t, s, "a_test.go:9: want 1, got 2\n")
	require.Contains(t, s, "FAIL\tp/a\t1.000s\n")
	require.Contains(t, s, "1 tests skipped")
	require.Contains(t, s, "  SKIP p/docker TestImage: skipped: no Docker engine reachable\n")
	// The failed tests are listed at the end too, after the skips: in a
	// long run they are what the reader looks for first.
	require.Contains(t, s, "\n1 failed:\n  FAIL p/a TestB\n")
	require.Greater(t, strings.Index(s, " failed:"), strings.Index(s, "tests skipped"))
}

// A subtest's failure fails its parent too: each is listed, and a package
// that failed without a test (a build error, a panic in init) is named.
func TestSubtestsAndPackagesThatFailAreListed(t *testing.T) {
	in := strings.Join([]string{
		`{"Action":"fail","Package":"p/a","Test":"TestB/case_1"}`,
		`{"Action":"fail","Package":"p/a","Test":"TestB"}`,
		`{"Action":"fail","Package":"p/a","Elapsed":1}`,
		`{"Action":"fail","Package":"p/c","Elapsed":0}`,
	}, "\n")
	var out bytes.Buffer
	require.Equal(t, 1, run(strings.NewReader(in), &out))
	require.Contains(t, out.String(), "\n3 failed:\n  FAIL p/a TestB/case_1\n  FAIL p/a TestB\n  FAIL p/c (the package: no test of it failed; see its output above)\n")
}

func TestAllPassingIsExitZero(t *testing.T) {
	var out bytes.Buffer
	require.Equal(t, 0, run(strings.NewReader(`{"Action":"pass","Package":"p","Elapsed":0.1}`), &out))
	require.NotContains(t, out.String(), "skipped")
}

// A test binary that dies mid-test (go test's 10-minute -timeout, a crash)
// ends no test: the running test's output (the panic, the goroutines) is
// shown and the test listed as failed, not lost.
func TestATestThatNeverEndedIsShownAndListed(t *testing.T) {
	in := strings.Join([]string{
		`{"Action":"run","Package":"p/cmd","Test":"TestSlow"}`,
		`{"Action":"output","Package":"p/cmd","Test":"TestSlow","Output":"=== RUN   TestSlow\n"}`,
		`{"Action":"output","Package":"p/cmd","Test":"TestSlow","Output":"panic: test timed out after 10m0s\n"}`,
		`{"Action":"output","Package":"p/cmd","Output":"FAIL\tp/cmd\t600.1s\n"}`,
		`{"Action":"fail","Package":"p/cmd","Elapsed":600.1}`,
	}, "\n")
	var out bytes.Buffer
	require.Equal(t, 1, run(strings.NewReader(in), &out))
	s := out.String()
	require.Contains(t, s, "panic: test timed out after 10m0s\n")
	require.Contains(t, s, "  FAIL p/cmd TestSlow (it never ended: see its output above)\n")
	require.NotContains(t, s, "no test of it failed")
}
