package certwatch

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTheEndpointsAreReadFromWhereNetBirdNamesThem(t *testing.T) {
	mj := []byte(`{"Signal":{"Proto":"https","URI":"signal.example.com:443"},"Relay":{"Addresses":["rels://relay.example.com:443","rel://plain.example.com:80"]}}`)
	got := Targets(Sources{NBURL: "https://nb.example.com", Hosts: []string{"dashboard.example.com", "nb.example.com:443", "10.0.0.5:8443"}, Management: mj})
	require.Equal(t, []Target{
		{Host: "nb.example.com", Port: "443", From: "NB_URL"},
		{Host: "dashboard.example.com", Port: "443", From: "CERT_WATCH_HOSTS"},
		{Host: "10.0.0.5", Port: "8443", From: "CERT_WATCH_HOSTS"},
		{Host: "signal.example.com", Port: "443", From: "Signal.URI"},
		{Host: "relay.example.com", Port: "443", From: "Relay.Addresses"},
	}, got, "each once; a plain rel:// relay has no certificate")

	// An internal http NB_URL names no public certificate; the clone's
	// public name does.
	require.Empty(t, Targets(Sources{NBURL: "http://management:80"}))
	require.Equal(t, []Target{{Host: "netbird.example.com", Port: "443", From: "CLONE_PRIMARY_HOST"}},
		Targets(Sources{NBURL: "http://management:80", PrimaryHost: "netbird.example.com"}))

	cy := []byte("server:\n  signalUri: https://nb.example.com:443\n  relays:\n    addresses: [\"rels://relay2.example.com:443\"]\n")
	require.Equal(t, []Target{{Host: "nb.example.com", Port: "443", From: "NB_URL"}, {Host: "relay2.example.com", Port: "443", From: "Relay.Addresses"}},
		Targets(Sources{NBURL: "https://nb.example.com", Management: cy}), "the combined server's signal is the management endpoint itself")
}
