package config

import (
	"fmt"
	"strings"

	"filippo.io/age"
	"filippo.io/age/agessh"
)

// parseRecipients reads age recipients, comma- or newline-separated:
// age1… keys and SSH public keys (ssh-ed25519, ssh-rsa), so the host that
// writes backups needs no key that can read them.
func parseRecipients(list string) ([]age.Recipient, error) {
	var out []age.Recipient
	for i, item := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == '\n' }) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		var r age.Recipient
		var err error
		if strings.HasPrefix(item, "ssh-") {
			r, err = agessh.ParseRecipient(item)
		} else {
			r, err = age.ParseX25519Recipient(item)
		}
		if err != nil {
			return nil, fmt.Errorf("recipient %d is not an age1… key or an SSH public key (%v)", i+1, err)
		}
		out = append(out, r)
	}
	return out, nil
}
