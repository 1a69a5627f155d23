package main

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/config"
)

// The code's variables (config.Vars) are the one source of truth: every one is
// in .env.example with its default and in the README's table, and neither
// documents a variable the code does not read.
func TestEnvExampleAndReadmeAgreeWithTheCode(t *testing.T) {
	vars := map[string]config.Var{}
	for _, v := range config.Vars() {
		vars[v.Name] = v
	}

	f, err := os.Open("../../.env.example")
	require.NoError(t, err)
	defer f.Close()
	example := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		require.True(t, ok, line)
		example[k] = v
	}
	for name, v := range vars {
		got, ok := example[name]
		require.True(t, ok, "%s is missing from .env.example", name)
		if !v.Secret && name != "NB_URL" {
			require.Equal(t, v.Default, got, "%s: .env.example shows a different default", name)
		}
	}
	for name := range example {
		_, ok := vars[name]
		require.True(t, ok, ".env.example documents %s, which the code does not read", name)
	}

	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	row := regexp.MustCompile("(?m)^\\| `([A-Z0-9_]+)`")
	documented := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		documented[m[1]] = true
	}
	for name := range vars {
		require.True(t, documented[name], "%s is missing from the README's configuration table", name)
	}
	for name := range documented {
		_, ok := vars[name]
		require.True(t, ok || strings.HasSuffix(name, "_FILE"), "the README documents %s, which the code does not read", name)
	}
}
