// Package apiclient is the NetBird API client as the configuration sets
// it up (NB_URL, NB_CA_FILE), for the daemon, the jobs and the commands.
package apiclient

import (
	"fmt"
	"os"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/netbird"
)

// New is the API client for NB_URL's settings with one of the tokens:
// NB_CA_FILE adds a private CA to the system's roots.
func New(n config.NetBird, token string) (*netbird.Client, error) {
	c, err := netbird.New(n.URL, token)
	if err != nil || n.CAFile == "" {
		return c, err
	}
	pem, err := os.ReadFile(n.CAFile)
	if err != nil {
		return nil, fmt.Errorf("NB_CA_FILE: %w", err)
	}
	if err := c.TrustCA(pem); err != nil {
		return nil, fmt.Errorf("NB_CA_FILE %s %w", n.CAFile, err)
	}
	return c, nil
}
