// Package pgdump backs up NetBird's Postgres stores with PostgreSQL's own
// tools, never with a home-made dump: pg_dump in its custom format, and a
// restore check that loads the dump with pg_restore into a scratch
// database on the same server, counts what NetBird keeps there and drops
// it again. The tools run where they exist (Runner): in the Postgres
// container through the Docker engine, or on this host.
package pgdump

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/styliteag/birdseye/internal/dockerapi"
	"github.com/styliteag/birdseye/internal/pgdsn"
	"github.com/styliteag/birdseye/internal/sqlitefile"
)

// Runner runs one of PostgreSQL's programs where it is installed: stdin
// goes to it, its standard output to stdout; a failure carries what it
// said on standard error.
type Runner interface {
	Run(ctx context.Context, argv []string, stdin io.Reader, stdout io.Writer) error
}

// Local runs the programs on this host, from Bin (empty: PATH).
type Local struct{ Bin string }

func (l Local) Run(ctx context.Context, argv []string, stdin io.Reader, stdout io.Writer) error {
	name := argv[0]
	if l.Bin != "" {
		name = filepath.Join(l.Bin, name)
	}
	cmd := exec.CommandContext(ctx, name, argv[1:]...)
	var stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", argv[0], err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// Dump writes the database dsn names to w in pg_dump's custom format
// (compressed; pg_restore reads it, table by table if need be). The dump
// is one consistent snapshot: pg_dump reads in one repeatable-read
// transaction, so NetBird may go on writing.
func Dump(ctx context.Context, r Runner, dsn string, w io.Writer) error {
	if err := r.Run(ctx, []string{"pg_dump", "--format=custom", "--no-password", "--dbname=" + dsn}, nil, w); err != nil {
		return fmt.Errorf("dump %s: %w", pgdsn.Redact(dsn), err)
	}
	return nil
}

// Counts are the rows of NetBird's main tables in a restored dump; a table
// the dump does not hold is missing.
type Counts map[string]int

// Check restores the dump read from dump into a scratch database on the
// server adminDSN names (a role that may create databases), counts
// NetBird's tables there and drops the scratch database, also when the
// restore fails. A dump pg_restore cannot read in full is an error.
func Check(ctx context.Context, r Runner, adminDSN string, dump io.Reader) (Counts, error) {
	name := "birdseye_check_" + randomHex(6)
	psql := func(dsn, sql string, out io.Writer) error {
		return r.Run(ctx, []string{"psql", "--no-psqlrc", "--no-password", "-v", "ON_ERROR_STOP=1", "-At", "--dbname=" + dsn, "-c", sql}, nil, out)
	}
	if err := psql(adminDSN, "CREATE DATABASE "+name, io.Discard); err != nil {
		return nil, fmt.Errorf("create the scratch database %s on %s: %w", name, pgdsn.Redact(adminDSN), err)
	}
	defer psql(adminDSN, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)", io.Discard)
	scratch, err := withDatabase(adminDSN, name)
	if err != nil {
		return nil, err
	}
	if err := r.Run(ctx, []string{"pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--no-password", "--dbname=" + scratch}, dump, io.Discard); err != nil {
		return nil, fmt.Errorf("restore the dump into a scratch database: %w", err)
	}
	// Each table on its own: one the dump does not hold is left out,
	// not an error.
	var out bytes.Buffer
	counts := Counts{}
	for _, t := range sqlitefile.StoreTables {
		out.Reset()
		if err := psql(scratch, "SELECT to_regclass('"+t+"') IS NOT NULL", &out); err != nil {
			return nil, fmt.Errorf("count the restored tables: %w", err)
		}
		if strings.TrimSpace(out.String()) != "t" {
			continue
		}
		out.Reset()
		if err := psql(scratch, "SELECT count(*) FROM "+t, &out); err != nil {
			return nil, fmt.Errorf("count the restored tables: %w", err)
		}
		n, err := strconv.Atoi(strings.TrimSpace(out.String()))
		if err != nil {
			return nil, fmt.Errorf("count %s: %q", t, out.String())
		}
		counts[t] = n
	}
	return counts, nil
}

// withDatabase is dsn with another database.
func withDatabase(dsn, db string) (string, error) {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		u.Path = "/" + db
		return u.String(), nil
	}
	if pgdsn.Is(dsn) {
		var out []string
		for _, f := range strings.Fields(dsn) {
			if !strings.HasPrefix(f, "dbname=") {
				out = append(out, f)
			}
		}
		return strings.Join(append(out, "dbname="+db), " "), nil
	}
	return "", errors.New("not a Postgres DSN")
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Container runs the programs in a running container through the Docker
// engine (docker exec), where the scratch image has none: the Postgres
// container has them all, at the server's own version.
type Container struct {
	Engine dockerapi.Engine
	Name   string
	Env    []string // e.g. PGPASSWORD, kept out of the command line
}

func (c Container) Run(ctx context.Context, argv []string, stdin io.Reader, stdout io.Writer) error {
	stderr := &capped{max: 8 << 10}
	code, err := c.Engine.Exec(ctx, c.Name, argv, c.Env, stdin, stdout, stderr)
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("%s in container %s exited with %d: %s", argv[0], c.Name, code, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// capped keeps the first max bytes written to it.
type capped struct {
	bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.Len(); room > 0 {
		c.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
