// Package nbtest starts the fake management API for a test and returns a
// client for it, the setup every command's tests share.
package nbtest

import (
	"net/http/httptest"
	"testing"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/netbird/fake"
)

// Start serves a fresh fake API for the test and returns a client that uses
// token (fake.AdminToken, fake.AuditorToken, …).
func Start(t testing.TB, token string) (*fake.Server, *netbird.Client) {
	t.Helper()
	f := fake.New()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	c, err := netbird.New(srv.URL, token)
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}
