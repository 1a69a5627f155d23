package config

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
)

// LoadDotEnv reads KEY=VALUE lines from path into the process environment,
// never overriding a variable that is already set (the real environment wins,
// as with python-dotenv in the old tool). A missing file is not an error.
// It understands comments, blank lines, an `export ` prefix, single quotes
// (literal) and double quotes (with \n, \" and \\ escapes).
func LoadDotEnv(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &Error{Var: path, Msg: fmt.Sprintf("cannot be read: %v", err)}
	}
	defer f.Close()
	// The last of a key set twice wins, as with Docker Compose,
	// python-dotenv and the Python tool: a user who appends NB_URL=… to the
	// template means the appended one. What the environment already has
	// wins over the file, as before.
	preset := map[string]bool{}
	seen := map[string]bool{}
	dotEnvRepeated = nil
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff") // a byte-order mark (Windows editors)
		}
		key, val, ok, err := parseDotEnvLine(line)
		if err != nil {
			return &Error{Var: fmt.Sprintf("%s line %d", path, n), Msg: err.Error()}
		}
		if !ok {
			continue
		}
		if seen[key] && !slices.Contains(dotEnvRepeated, key) {
			dotEnvRepeated = append(dotEnvRepeated, key)
		}
		if !seen[key] {
			_, preset[key] = os.LookupEnv(key)
		}
		seen[key] = true
		if !preset[key] {
			os.Setenv(key, val)
		}
	}
	return sc.Err()
}

// dotEnvRepeated are the keys the last LoadDotEnv found more than once.
var dotEnvRepeated []string

// DotEnvRepeated says which keys .env sets more than once (the last value
// is used), for the start-up warning and doctor.
func DotEnvRepeated() []string { return slices.Clone(dotEnvRepeated) }

func parseDotEnvLine(line string) (key, val string, ok bool, err error) {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return "", "", false, nil
	}
	line = strings.TrimPrefix(line, "export ")
	key, val, found := strings.Cut(line, "=")
	key = strings.TrimSpace(key)
	if !found || key == "" || strings.ContainsAny(key, " \t\"'") {
		return "", "", false, errors.New("is not KEY=VALUE; expected lines such as NB_URL=https://netbird.example.com")
	}
	val = strings.TrimSpace(val)
	switch {
	case strings.HasPrefix(val, "'"):
		end := strings.Index(val[1:], "'")
		if end < 0 {
			return "", "", false, fmt.Errorf("%s: single quote is never closed", key)
		}
		return key, val[1 : 1+end], true, nil
	case strings.HasPrefix(val, `"`):
		var b strings.Builder
		for i := 1; i < len(val); i++ {
			c := val[i]
			if c == '"' {
				return key, b.String(), true, nil
			}
			if c == '\\' && i+1 < len(val) {
				i++
				switch val[i] {
				case 'n':
					b.WriteByte('\n')
				case 't':
					b.WriteByte('\t')
				default:
					b.WriteByte(val[i])
				}
				continue
			}
			b.WriteByte(c)
		}
		return "", "", false, fmt.Errorf("%s: double quote is never closed", key)
	default:
		if i := strings.Index(val, " #"); i >= 0 {
			val = strings.TrimSpace(val[:i])
		}
		return key, val, true, nil
	}
}
