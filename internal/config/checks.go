package config

import (
	"fmt"
	"net/mail"
	"strings"
)

// Checks several settings share: mail lists, SSH connections, defaults of
// set-but-empty variables. One wording each, so every variable of a kind
// is explained the same way.

// addressErrors reports each entry of a comma-separated list that is not
// an e-mail address.
func addressErrors(name string, list List) []error {
	var errs []error
	for _, a := range list {
		if _, err := mail.ParseAddress(a); err != nil {
			errs = append(errs, &Error{Var: name, Msg: fmt.Sprintf("has %q, which is not an e-mail address; expected comma-separated addresses", a)})
		}
	}
	return errs
}

// hostKeyPolicyError checks a value of OpenSSH's StrictHostKeyChecking.
func hostKeyPolicyError(name, policy string) error {
	if policy != "yes" && policy != "accept-new" && policy != "no" {
		return &Error{Var: name, Msg: fmt.Sprintf("=%q is not a host key policy; expected yes, accept-new or no", policy)}
	}
	return nil
}

// sshErrors checks <prefix>_SSH_STRICT and <prefix>_SSH_PORT.
func sshErrors(prefix, strict string, port Count) []error {
	var errs []error
	if err := hostKeyPolicyError(prefix+"_SSH_STRICT", strict); err != nil {
		errs = append(errs, err)
	}
	if port < 1 || port > 65535 {
		errs = append(errs, &Error{Var: prefix + "_SSH_PORT", Msg: fmt.Sprintf("=%d is not a port; expected 1 to 65535, e.g. 22", port)})
	}
	return errs
}

// defaulted is a variable and the default it takes when set but empty.
type defaulted struct {
	v   *string
	def string
}

// fillEmpty gives set-but-empty variables their defaults, as the old tool
// did (envconfig applies a default only to an unset variable).
func fillEmpty(vars ...defaulted) {
	for _, d := range vars {
		if strings.TrimSpace(*d.v) == "" {
			*d.v = d.def
		}
	}
}
