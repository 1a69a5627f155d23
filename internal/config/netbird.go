package config

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/styliteag/birdseye/internal/nburl"
)

// NetBird is how birdseye reaches the management API.
type NetBird struct {
	URL           string `envconfig:"NB_URL" desc:"NetBird management URL (https assumed when the scheme is missing)"`
	APIKey        Secret `envconfig:"NB_API_KEY" desc:"personal access token of a service user (the Auditor role is enough for the forwarder)"`
	AdminKey      Secret `envconfig:"NB_ADMIN_API_KEY" desc:"admin token for the ephemeral cleanup and the commands that change things (empty = those are off)"`
	CAFile        string `envconfig:"NB_CA_FILE" desc:"PEM file of a private CA that signed the management server's certificate"`
	AllowInsecure Bool   `envconfig:"NB_ALLOW_INSECURE" default:"false" desc:"allow plain http:// to a public host (the token then travels unencrypted)"`
}

// checkTransport refuses to send a token over plain HTTP to a public host,
// and checks NB_CA_FILE.
func (n NetBird) checkTransport() error {
	u, err := nburl.Normalise(n.URL)
	if err != nil {
		return &Error{Var: "NB_URL", Msg: fmt.Sprintf("=%q %v; expected e.g. https://netbird.example.com or http://management:80", n.URL, err)}
	}
	if u.Scheme == "http" && !bool(n.AllowInsecure) && !privateHost(u.Hostname()) {
		return &Error{Var: "NB_URL", Msg: fmt.Sprintf("=%q uses plain http to a public host, so the token would travel unencrypted; expected https://, a private address or Docker service name, or NB_ALLOW_INSECURE=true", n.URL)}
	}
	if n.CAFile != "" {
		b, err := os.ReadFile(n.CAFile)
		if err != nil {
			return &Error{Var: "NB_CA_FILE", Msg: fmt.Sprintf("=%q cannot be read (%v); expected a PEM file with the CA certificate", n.CAFile, errors.Unwrap(err))}
		}
		if !x509.NewCertPool().AppendCertsFromPEM(b) {
			return &Error{Var: "NB_CA_FILE", Msg: fmt.Sprintf("=%q holds no PEM certificate; expected -----BEGIN CERTIFICATE-----", n.CAFile)}
		}
	}
	return nil
}

// privateHost: loopback, private and link-local addresses, and names that
// only resolve inside a private network (Docker service names have no dot).
func privateHost(h string) bool {
	if ip := net.ParseIP(h); ip != nil {
		return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast()
	}
	h = strings.ToLower(strings.TrimSuffix(h, "."))
	if h == "localhost" || !strings.Contains(h, ".") {
		return true
	}
	for _, suffix := range []string{".local", ".internal", ".lan", ".home.arpa", ".localhost"} {
		if strings.HasSuffix(h, suffix) {
			return true
		}
	}
	return false
}

func (n NetBird) validate() error {
	if strings.TrimSpace(n.URL) == "" {
		return &Error{Var: "NB_URL", Msg: "is not set; expected the management URL, e.g. https://netbird.example.com"}
	}
	if err := n.checkTransport(); err != nil {
		return err
	}
	if n.APIKey == "" && !fileGiven("NB_API_KEY") {
		return &Error{Var: "NB_API_KEY", Msg: "is not set (nor NB_API_KEY_FILE); expected a personal access token (nbp_...)"}
	}
	return nil
}

// fileGiven: <key>_FILE is set, so an unreadable file was said already
// ("cannot be read"), and "is not set" would only repeat it wrongly.
func fileGiven(key string) bool { return os.Getenv(key+"_FILE") != "" }

// TokenAdminFirst returns NB_ADMIN_API_KEY, else NB_API_KEY (setup keys, as
// the old tool did: a read-only token gets a clear 403 on writes).
func (n NetBird) TokenAdminFirst() (string, error) {
	if n.AdminKey != "" {
		return n.AdminKey.Reveal(), nil
	}
	return n.Token(false, "")
}

// Token returns the token for a command: the admin token when it changes
// things (or reads what only admins may), else the service user's token.
func (n NetBird) Token(admin bool, command string) (string, error) {
	if admin {
		if n.AdminKey == "" {
			return "", &Error{Var: "NB_ADMIN_API_KEY", Msg: "is not set; " + command + " needs an admin token (a service user with the Admin role)"}
		}
		return n.AdminKey.Reveal(), nil
	}
	if n.APIKey != "" {
		return n.APIKey.Reveal(), nil
	}
	if n.AdminKey != "" {
		return n.AdminKey.Reveal(), nil
	}
	return "", &Error{Var: "NB_API_KEY", Msg: "is not set (nor NB_ADMIN_API_KEY); expected a personal access token (nbp_...)"}
}
