package offsite

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/styliteag/birdseye/internal/sshremote"
)

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// verify checks on the far side that the bytes that landed are the bytes
// written and that the archive lists cleanly. A remote with a shell does
// it with its own sha256sum and tar, so nothing travels back; a remote
// without one (an SFTP-only account) gets the file read back over SFTP.
// It says which way it went.
func verify(ctx context.Context, c *sshremote.Client, file string, r Result) (string, error) {
	q := sshremote.Quote(file)
	out, err := c.Run(ctx, "sha256sum < "+q+" && tar tzf "+q+" > /dev/null && echo TAR_OK")
	f := strings.Fields(out)
	if len(f) > 0 && sha256Hex.MatchString(f[0]) {
		if f[0] != r.SHA256 {
			return "", fmt.Errorf("checksum mismatch after transfer (%s)", r.Name)
		}
		if err == nil && f[len(f)-1] == "TAR_OK" {
			return "sha256sum and tar there", nil
		}
	}
	// No usable shell, or no tar there: judge the bytes ourselves.
	rf, err := c.SFTP().Open(file)
	if err != nil {
		return "", fmt.Errorf("read %s back: %w", file, err)
	}
	defer rf.Close()
	h := sha256.New()
	n, err := listArchive(io.TeeReader(bufio.NewReaderSize(rf, 256<<10), h))
	switch {
	case err != nil:
		return "", fmt.Errorf("%s does not list cleanly on the remote: %w", r.Name, err)
	case hex.EncodeToString(h.Sum(nil)) != r.SHA256 || n != r.Members:
		return "", fmt.Errorf("checksum mismatch after transfer (%s)", r.Name)
	}
	return "read back over SFTP", nil
}
