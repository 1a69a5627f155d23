// Package dockerapi speaks to the Docker engine on its Unix socket, as
// much as birdseye needs and no more: a container's environment, and a
// command run in a running container (docker exec) with its standard
// streams, for the tools the scratch image does not have (pg_dump in the
// Postgres container). No Docker SDK: it would cost megabytes.
package dockerapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Engine is the engine behind a socket (/var/run/docker.sock).
type Engine struct{ Socket string }

func (e Engine) dial(ctx context.Context) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, "unix", e.Socket)
	if err != nil {
		return nil, fmt.Errorf("reach the Docker engine at %s: %w", e.Socket, err)
	}
	return c, nil
}

func (e Engine) client() *http.Client {
	// A client a request, so no idle connection may stay behind it: each
	// would hold a file descriptor open for good.
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DisableKeepAlives: true,
		DialContext:       func(ctx context.Context, _, _ string) (net.Conn, error) { return e.dial(ctx) },
	}}
}

// do sends a JSON request and decodes a JSON answer into out (when not
// nil); an answer other than want is an error with the engine's message.
func (e Engine) do(ctx context.Context, method, path string, body, out any, want int) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://docker"+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.client().Do(req)
	if err != nil {
		return fmt.Errorf("ask the Docker engine at %s: %w", e.Socket, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		var m struct{ Message string }
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		if json.Unmarshal(b, &m) != nil || m.Message == "" {
			m.Message = strings.TrimSpace(string(b))
		}
		return &Error{Status: resp.StatusCode, Message: m.Message}
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

// Error is the engine's refusal: 404 for a container that is not there,
// 409 for one that is not running.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("the Docker engine answered HTTP %d: %s", e.Status, e.Message)
}

// Env is a container's environment (NAME=value), as it was created.
func (e Engine) Env(ctx context.Context, container string) ([]string, error) {
	var c struct{ Config struct{ Env []string } }
	if err := e.do(ctx, "GET", "/containers/"+url.PathEscape(container)+"/json", nil, &c, http.StatusOK); err != nil {
		return nil, fmt.Errorf("container %s: %w", container, err)
	}
	return c.Config.Env, nil
}

// Exec runs argv in the running container, as docker exec does without a
// terminal: stdin (nil: none) goes to it and is closed at its end, its
// standard output and error come back apart. The exit code is the
// command's; err is for what kept it from running.
func (e Engine) Exec(ctx context.Context, container string, argv, env []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	var created struct{ ID string }
	if err := e.do(ctx, "POST", "/containers/"+url.PathEscape(container)+"/exec", map[string]any{
		"Cmd": argv, "Env": env, "AttachStdin": stdin != nil, "AttachStdout": true, "AttachStderr": true, "Tty": false,
	}, &created, http.StatusCreated); err != nil {
		return -1, fmt.Errorf("container %s: %w", container, err)
	}
	conn, err := e.dial(ctx)
	if err != nil {
		return -1, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	// The start request takes the connection over (an HTTP upgrade):
	// written by hand, since net/http does not hand a hijacked client
	// connection back.
	body := `{"Detach":false,"Tty":false}`
	fmt.Fprintf(conn, "POST /exec/%s/start HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: %d\r\n\r\n%s",
		created.ID, len(body), body)
	br := bufio.NewReaderSize(conn, 64<<10)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return -1, fmt.Errorf("start %s in %s: %w", argv[0], container, err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols && resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return -1, fmt.Errorf("start %s in %s: %w", argv[0], container, &Error{Status: resp.StatusCode, Message: strings.TrimSpace(string(b))})
	}
	sent := make(chan error, 1)
	if stdin != nil {
		go func() {
			_, err := io.Copy(conn, stdin)
			if cw, ok := conn.(interface{ CloseWrite() error }); ok {
				cw.CloseWrite() // end of input for the command
			}
			sent <- err
		}()
	} else {
		sent <- nil
	}
	if err := demux(br, stdout, stderr); err != nil {
		return -1, fmt.Errorf("read %s's output from %s: %w", argv[0], container, err)
	}
	if err := <-sent; err != nil {
		return -1, fmt.Errorf("send input to %s in %s: %w", argv[0], container, err)
	}
	var inspect struct {
		Running  bool
		ExitCode int
	}
	// The stream ends when the command does; the engine may take a moment
	// more to record its exit code.
	for range 100 {
		if err := e.do(ctx, "GET", "/exec/"+created.ID+"/json", nil, &inspect, http.StatusOK); err != nil {
			return -1, err
		}
		if !inspect.Running {
			return inspect.ExitCode, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return -1, fmt.Errorf("%s in %s: the engine still says it runs after its output ended", argv[0], container)
}

// demux splits the engine's multiplexed stream: frames of an 8-byte header
// (stream 1 stdout, 2 stderr; a big-endian length) and their bytes.
func demux(r io.Reader, stdout, stderr io.Writer) error {
	var h [8]byte
	for {
		if _, err := io.ReadFull(r, h[:]); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		n := int64(binary.BigEndian.Uint32(h[4:]))
		w := io.Discard
		switch h[0] {
		case 1:
			w = stdout
		case 2:
			w = stderr
		}
		if _, err := io.CopyN(w, r, n); err != nil {
			return err
		}
	}
}
