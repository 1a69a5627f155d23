package testbin

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// A program is built once into the cache, found there by the next caller,
// and built afresh under another name when its module changes.
func TestAProgramIsBuiltOnceAndAgainWhenItsModuleChanges(t *testing.T) {
	t.Setenv("NETBIRD_TEST_CACHE", t.TempDir())
	mod := t.TempDir()
	write := func(name, text string) {
		require.NoError(t, os.WriteFile(filepath.Join(mod, name), []byte(text), 0o644))
	}
	write("go.mod", "module example.com/hello\n\ngo 1.26.0\n")
	write("main.go", "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Print(\"hello\") }\n")
	p := Program{Name: "hello", Version: "v1", Module: mod, Files: []string{"go.mod", "main.go"}, Package: "."}

	bin, err := p.build()
	require.NoError(t, err)
	out, err := exec.Command(bin).Output()
	require.NoError(t, err)
	require.Equal(t, "hello", string(out))
	dir, _ := p.Dir()
	require.Equal(t, filepath.Join(dir, "hello"), bin)
	require.NoFileExists(t, bin+".tmp", "written under a temporary name, then renamed")

	// Found in the cache: a stand-in binary there is returned as it is.
	require.NoError(t, os.WriteFile(bin, []byte("cached"), 0o755))
	again, err := p.build()
	require.NoError(t, err)
	require.Equal(t, bin, again)
	b, _ := os.ReadFile(bin)
	require.Equal(t, "cached", string(b), "not built again")

	write("main.go", "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Print(\"hello again\") }\n")
	other, _ := p.Dir()
	require.NotEqual(t, dir, other, "a changed module is another build")
	bin2, err := p.build()
	require.NoError(t, err)
	out, err = exec.Command(bin2).Output()
	require.NoError(t, err)
	require.Equal(t, "hello again", string(out))
}

func TestABrokenModuleNamesTheProgramAndTheCompilerSaysWhy(t *testing.T) {
	t.Setenv("NETBIRD_TEST_CACHE", t.TempDir())
	mod := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/broken\n\ngo 1.26.0\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(mod, "main.go"), []byte("package main\n\nfunc main() { undefined() }\n"), 0o644))
	_, err := Program{Name: "broken", Version: "v0", Module: mod, Files: []string{"go.mod", "main.go"}, Package: "."}.build()
	require.ErrorContains(t, err, "build broken v0")
	require.ErrorContains(t, err, "undefined: undefined")
}
