package certwatch

import (
	"encoding/json"
	"net"
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Sources are where the endpoints to watch are named.
type Sources struct {
	NBURL       string   // NB_URL: its host when it is https
	PrimaryHost string   // CLONE_PRIMARY_HOST: the public name, before NB_URL
	Hosts       []string // CERT_WATCH_HOSTS: host or host:port (443)
	// Management is NetBird's management.json or the combined server's
	// config.yaml, when readable: the signal and relay endpoints clients
	// are sent to.
	Management []byte
}

// Targets are the endpoints, each once, in the order above.
func Targets(s Sources) []Target {
	var out []Target
	seen := map[string]bool{}
	add := func(hostport, defPort, from string) {
		host, port, err := net.SplitHostPort(hostport)
		if err != nil {
			host, port = hostport, defPort
		}
		host = strings.TrimSpace(host)
		if host == "" || net.ParseIP(host) != nil && from != "CERT_WATCH_HOSTS" {
			return // an address: no name a public certificate is for
		}
		t := Target{Host: host, Port: port, From: from}
		if !seen[t.String()] {
			seen[t.String()] = true
			out = append(out, t)
		}
	}
	switch u, err := url.Parse(s.NBURL); {
	case s.PrimaryHost != "":
		add(s.PrimaryHost, "443", "CLONE_PRIMARY_HOST")
	case err == nil && u.Scheme == "https":
		add(u.Host, "443", "NB_URL")
	}
	for _, h := range s.Hosts {
		add(h, "443", "CERT_WATCH_HOSTS")
	}
	signal, relays := endpoints(s.Management)
	if signal != "" {
		add(signal, "443", "Signal.URI")
	}
	for _, r := range relays {
		add(r, "443", "Relay.Addresses")
	}
	return out
}

// endpoints reads the TLS endpoints clients are given: management.json's
// Signal (when its Proto is https) and Relay.Addresses (rels://), or
// config.yaml's server.signalUri and server.relays.addresses.
func endpoints(doc []byte) (signal string, relays []string) {
	if len(doc) == 0 {
		return "", nil
	}
	var mj struct {
		Signal struct{ Proto, URI string }
		Relay  struct{ Addresses []string }
	}
	if json.Unmarshal(doc, &mj) == nil {
		if strings.EqualFold(mj.Signal.Proto, "https") {
			signal = mj.Signal.URI
		}
		return signal, tlsRelays(mj.Relay.Addresses)
	}
	var cy struct {
		Server struct {
			SignalURI string `yaml:"signalUri"`
			Relays    struct {
				Addresses []string `yaml:"addresses"`
			} `yaml:"relays"`
		} `yaml:"server"`
	}
	if yaml.Unmarshal(doc, &cy) == nil {
		if u, err := url.Parse(cy.Server.SignalURI); err == nil && u.Scheme == "https" {
			signal = u.Host
		}
		return signal, tlsRelays(cy.Server.Relays.Addresses)
	}
	return "", nil
}

// tlsRelays are the rels:// relay addresses (rel:// is plain).
func tlsRelays(addrs []string) []string {
	var out []string
	for _, a := range addrs {
		if u, err := url.Parse(a); err == nil && u.Scheme == "rels" {
			out = append(out, u.Host)
		}
	}
	return out
}
