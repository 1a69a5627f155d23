package nburl

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNormaliseKeepsThePathAndEndsInAPI(t *testing.T) {
	for in, want := range map[string]string{
		"nb.example.com":                  "https://nb.example.com/api",
		"https://nb.example.com/":         "https://nb.example.com/api",
		"https://nb.example.com/api":      "https://nb.example.com/api",
		"https://nb.example.com/api/":     "https://nb.example.com/api",
		"http://management:33073":         "http://management:33073/api",
		"https://example.com/netbird/":    "https://example.com/netbird/api",
		"  https://nb.example.com:8443  ": "https://nb.example.com:8443/api",
	} {
		u, err := Normalise(in)
		require.NoError(t, err, in)
		require.Equal(t, want, u.String(), in)
	}
}
