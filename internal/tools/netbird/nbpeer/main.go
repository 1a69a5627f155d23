// Command nbpeer enrols NetBird peers in a real management server with the
// module's own gRPC client, for birdseye's tests (internal/netbird/realtest).
//
// Each --hostname enrols one peer with a fresh WireGuard key and the setup
// key, and prints one JSON line: {"hostname","public_key","ip"}. With --stay
// every peer keeps its Sync stream open (so the server shows it connected)
// until standard input closes; then the streams end and the peers show as
// disconnected.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	log "github.com/sirupsen/logrus"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"

	"github.com/netbirdio/netbird/client/system"
	mgmt "github.com/netbirdio/netbird/shared/management/client"
	"github.com/netbirdio/netbird/shared/management/proto"
)

type hostnames []string

func (h *hostnames) String() string     { return strings.Join(*h, ",") }
func (h *hostnames) Set(v string) error { *h = append(*h, v); return nil }

func main() {
	var names hostnames
	addr := flag.String("addr", "", "management server host:port (gRPC and HTTP share it)")
	setupKey := flag.String("setup-key", "", "setup key to register with")
	stay := flag.Bool("stay", false, "keep the peers connected until standard input closes")
	version := flag.String("version", "0.77.1", "NetBird version the peers report")
	useTLS := flag.Bool("tls", false, "speak TLS to the server (its CA from SSL_CERT_FILE or the system)")
	flag.Var(&names, "hostname", "hostname of a peer to enrol (repeat for more)")
	flag.Parse()
	if *addr == "" || *setupKey == "" || len(names) == 0 {
		fmt.Fprintln(os.Stderr, "usage: nbpeer --addr HOST:PORT --setup-key KEY --hostname NAME [--hostname NAME…] [--stay]")
		os.Exit(2)
	}
	log.SetOutput(os.Stderr)
	log.SetLevel(log.WarnLevel)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := json.NewEncoder(os.Stdout)
	var clients []*mgmt.GrpcClient
	var infos []*system.Info
	for _, name := range names {
		key, err := wgtypes.GeneratePrivateKey()
		if err != nil {
			fail("generate key: %v", err)
		}
		c, err := mgmt.NewClient(ctx, *addr, key, *useTLS)
		if err != nil {
			fail("connect to %s: %v", *addr, err)
		}
		info := &system.Info{
			GoOS: "linux", Kernel: "Linux", Platform: "x86_64", OS: "Debian GNU/Linux",
			OSVersion: "12", Hostname: name, CPUs: 2, NetbirdVersion: *version,
			KernelVersion: "6.1.0",
		}
		resp, err := c.Register(*setupKey, "", info, nil, nil)
		if err != nil {
			fail("register %s: %v", name, err)
		}
		ip := ""
		if pc := resp.GetPeerConfig(); pc != nil {
			ip = strings.SplitN(pc.GetAddress(), "/", 2)[0]
		}
		if err := out.Encode(map[string]string{"hostname": name, "public_key": key.PublicKey().String(), "ip": ip}); err != nil {
			fail("write: %v", err)
		}
		clients = append(clients, c)
		infos = append(infos, info)
	}
	if !*stay {
		for _, c := range clients {
			c.Close()
		}
		return
	}
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Sync retries on its own until ctx ends; its error then is expected.
			_ = c.Sync(ctx, infos[i], func(*proto.SyncResponse) error { return nil })
		}()
	}
	// A line on stdout once the streams are opening lets the caller wait on it.
	fmt.Println(`{"syncing":true}`)
	io.Copy(io.Discard, os.Stdin)
	cancel()
	wg.Wait()
	for _, c := range clients {
		c.Close()
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "nbpeer: "+format+"\n", args...)
	os.Exit(1)
}
