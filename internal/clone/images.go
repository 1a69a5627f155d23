package clone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// ImageDigests asks the Docker engine on this host (CLONE_DOCKER_SOCKET)
// which digest each CLONE_IMAGES repository's :latest is, so the standby
// pulls exactly the primary's versions. What cannot be known is a note,
// not a failure: the standby then keeps the images it has.
func ImageDigests(ctx context.Context, socket string, repos []string) (map[string]string, []string, error) {
	for _, r := range repos {
		last := r[strings.LastIndex(r, "/")+1:]
		if r == "" || strings.ContainsAny(last, ":@") || strings.ContainsAny(r, " \t") {
			return nil, nil, fmt.Errorf("CLONE_IMAGES: '%s' is not a repository; expected names without tag, e.g. netbirdio/management,netbirdio/dashboard", r)
		}
	}
	if len(repos) == 0 {
		return nil, nil, nil
	}
	if _, err := os.Stat(socket); errors.Is(err, fs.ErrNotExist) {
		return nil, []string{fmt.Sprintf("CLONE_DOCKER_SOCKET %s is not mounted: images.txt stays empty and the standby keeps its own images", socket)}, nil
	}
	c := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		},
	}}
	out := map[string]string{}
	var notes []string
	for _, r := range repos {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker/images/"+r+":latest/json", nil)
		if err != nil {
			return nil, nil, err
		}
		resp, err := c.Do(req)
		if errors.Is(err, fs.ErrPermission) {
			return nil, nil, fmt.Errorf("ask the Docker engine at %s about %s: %w; birdseye (UID %d) may not open the socket: give the container its group (group_add: the group id of %s on the host)", socket, r, err, os.Getuid(), socket)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("ask the Docker engine at %s about %s: %w", socket, r, err)
		}
		var img struct {
			RepoDigests []string
		}
		err = json.NewDecoder(resp.Body).Decode(&img)
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusNotFound:
			notes = append(notes, r+":latest is not on this host; the standby keeps its own")
			continue
		case resp.StatusCode != http.StatusOK || err != nil:
			return nil, nil, fmt.Errorf("ask the Docker engine at %s about %s: HTTP %d", socket, r, resp.StatusCode)
		}
		digest := ""
		for _, d := range img.RepoDigests {
			if name, sum, ok := strings.Cut(d, "@"); ok && (name == r || strings.HasSuffix(name, "/"+r)) {
				digest = sum
				break
			}
		}
		if digest == "" {
			notes = append(notes, r+":latest was built here, not pulled: it has no digest the standby could pull")
			continue
		}
		out[r] = digest
	}
	return out, notes, nil
}
