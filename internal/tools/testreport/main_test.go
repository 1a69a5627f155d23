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
}

func TestAllPassingIsExitZero(t *testing.T) {
	var out bytes.Buffer
	require.Equal(t, 0, run(strings.NewReader(`{"Action":"pass","Package":"p","Elapsed":0.1}`), &out))
	require.NotContains(t, out.String(), "skipped")
}
