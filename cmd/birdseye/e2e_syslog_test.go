package main

import (
	"bufio"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// The daemon sends each event to a syslog receiver over TCP with octet
// counting; the receiver restarting in between loses nothing.
func TestE2ESyslogOverTCPSurvivesTheReceiverRestarting(t *testing.T) {
	var mu sync.Mutex
	var msgs []string
	var conns []net.Conn
	serve := func(ln net.Listener) {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					l, err := br.ReadString(' ')
					if err != nil {
						return
					}
					n, _ := strconv.Atoi(strings.TrimSpace(l))
					buf := make([]byte, n)
					if _, err := io.ReadFull(br, buf); err != nil {
						return
					}
					mu.Lock()
					msgs = append(msgs, string(buf))
					mu.Unlock()
				}
			}()
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	go serve(ln)
	got := func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), msgs...) }

	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, api, sf, "SYSLOG_ADDR=tcp://"+addr))
	d.waitLog("first boot")
	f.AddN(2, "policy.update", "p")
	d.waitFor("two messages", func() bool { return len(got()) == 2 })
	require.Regexp(t, `^<133>1 \S+ \S+ birdseye \d+ policy.update \[birdseye@32473 id="2" code="policy.update" initiator="system" initiator_id="sys" target="id-2"\]\[meta@32473 name="p-1"\] `, got()[0])

	ln.Close() // the receiver restarts: its connections close too
	mu.Lock()
	for _, c := range conns {
		c.Close()
	}
	msgs = nil
	mu.Unlock()
	f.AddN(1, "user.block", "u")
	d.waitLog("delivery failed")
	ln, err = net.Listen("tcp", addr)
	require.NoError(t, err)
	defer ln.Close()
	go serve(ln)
	d.waitFor("the missed event", func() bool { return len(got()) >= 1 })
	require.Contains(t, strings.Join(got(), "\n"), `code="user.block"`)
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
}
