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
// which image each CLONE_IMAGES repository runs as: the image of a running
// container of that repository, under the tag it was started with
// (netbirdio/management:0.77.1), else the repository's :latest. It returns
// the digests the standby pulls and the tags it gives them (those other
// than latest), so both run the same version under the same name. What
// cannot be known is a note, not a failure: the standby then keeps the
// images it has.
func ImageDigests(ctx context.Context, socket string, repos []string) (digests, tags map[string]string, notes []string, err error) {
	for _, r := range repos {
		last := r[strings.LastIndex(r, "/")+1:]
		if r == "" || strings.ContainsAny(last, ":@") || strings.ContainsAny(r, " \t") {
			return nil, nil, nil, fmt.Errorf("CLONE_IMAGES: '%s' is not a repository; expected names without tag, e.g. netbirdio/management,netbirdio/dashboard", r)
		}
	}
	if len(repos) == 0 {
		return nil, nil, nil, nil
	}
	if _, err := os.Stat(socket); errors.Is(err, fs.ErrNotExist) {
		return nil, nil, []string{fmt.Sprintf("CLONE_DOCKER_SOCKET %s is not mounted: images.txt stays empty and the standby keeps its own images", socket)}, nil
	}
	e := engineAPI{socket: socket, c: &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		},
	}}}
	var running []struct{ Image, ImageID string }
	if code, err := e.get(ctx, "/containers/json", "the running containers", &running); err != nil {
		return nil, nil, nil, err
	} else if code != http.StatusOK {
		return nil, nil, nil, fmt.Errorf("ask the Docker engine at %s about its containers: HTTP %d", socket, code)
	}
	digests, tags = map[string]string{}, map[string]string{}
	for _, r := range repos {
		ref, tag := r+":latest", "latest"
		for _, c := range running {
			if repo, t := splitImage(c.Image); sameRepo(repo, r) {
				ref, tag = c.ImageID, t
				break
			}
		}
		var img struct{ RepoDigests []string }
		code, err := e.get(ctx, "/images/"+ref+"/json", r, &img)
		switch {
		case err != nil:
			return nil, nil, nil, err
		case code == http.StatusNotFound:
			notes = append(notes, r+":latest is not on this host and no container runs it; the standby keeps its own")
			continue
		case code != http.StatusOK:
			return nil, nil, nil, fmt.Errorf("ask the Docker engine at %s about %s: HTTP %d", socket, r, code)
		}
		digest := ""
		for _, d := range img.RepoDigests {
			if name, sum, ok := strings.Cut(d, "@"); ok && sameRepo(name, r) {
				digest = sum
				break
			}
		}
		if digest == "" {
			notes = append(notes, r+":"+tag+" was built here, not pulled: it has no digest the standby could pull")
			continue
		}
		digests[r] = digest
		if tag != "latest" {
			tags[r] = tag
		}
	}
	return digests, tags, notes, nil
}

// engineAPI is the Docker engine's API on its socket.
type engineAPI struct {
	socket string
	c      *http.Client
}

// get decodes a GET's JSON answer into out when it is 200; the status is
// returned either way.
func (e engineAPI) get(ctx context.Context, path, about string, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://docker"+path, nil)
	if err != nil {
		return 0, err
	}
	resp, err := e.c.Do(req)
	if errors.Is(err, fs.ErrPermission) {
		return 0, fmt.Errorf("ask the Docker engine at %s about %s: %w; birdseye (UID %d) may not open the socket: give the container its group (group_add: the group id of %s on the host)", e.socket, about, err, os.Getuid(), e.socket)
	}
	if err != nil {
		return 0, fmt.Errorf("ask the Docker engine at %s about %s: %w", e.socket, about, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return 0, fmt.Errorf("ask the Docker engine at %s about %s: %w", e.socket, about, err)
		}
	}
	return resp.StatusCode, nil
}

// splitImage is a container's image reference as repository and tag
// (latest when none; a digest reference has no tag: latest).
func splitImage(ref string) (repo, tag string) {
	ref, _, _ = strings.Cut(ref, "@")
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		return ref[:i], ref[i+1:]
	}
	return ref, "latest"
}

// sameRepo compares repository names as Docker Hub writes them either way
// (traefik, docker.io/library/traefik).
func sameRepo(a, b string) bool {
	norm := func(s string) string {
		s = strings.TrimPrefix(s, "docker.io/")
		return strings.TrimPrefix(s, "library/")
	}
	return norm(a) == norm(b)
}
