package changes

import (
	"context"
	"encoding/json"
	"strings"
)

func objectName(raw json.RawMessage) string {
	var o struct {
		Name string `json:"name"`
	}
	json.Unmarshal(raw, &o)
	return o.Name
}

// idNames maps the ids of groups and posture checks to their names, from
// what this poll read and the snapshots.
func (t *Tracker) idNames(current map[string]map[string]json.RawMessage) map[string]string {
	out := map[string]string{}
	paths := []string{"/groups", "/posture-checks", "/policies"}
	for p := range t.snaps {
		if strings.HasSuffix(p, "/resources") {
			paths = append(paths, p) // a network's resources, by network
		}
	}
	for _, p := range paths {
		for _, src := range []map[string]json.RawMessage{t.snaps[p], current[p]} {
			for id, raw := range src {
				if n := objectName(raw); n != "" {
					out[id] = n
				}
			}
		}
	}
	return out
}

// peerRef is the routing peer a route or network router names by id.
func peerRef(objs ...json.RawMessage) string {
	for _, raw := range objs {
		var o struct {
			Peer string `json:"peer"`
		}
		json.Unmarshal(raw, &o)
		if o.Peer != "" {
			return o.Peer
		}
	}
	return ""
}

// peerNames maps peer ids to names. Peers are not snapshotted (they change
// with every login); a failed read leaves the ids as they are.
func (t *Tracker) peerNames(ctx context.Context) map[string]string {
	out := map[string]string{}
	raw, err := t.API.GetRaw(ctx, "/peers")
	if err != nil {
		t.Log.Warn("peer names not read for the change diff; peers show as ids", "err", err)
		return out
	}
	var list []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	json.Unmarshal(raw, &list)
	for _, p := range list {
		out[p.ID] = p.Name
	}
	return out
}
