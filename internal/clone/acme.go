package clone

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
)

// MergeACME merges the primary's Traefik ACME store into the standby's, so
// a failover serves valid certificates at once: per resolver, the
// standby's own ACME account stays (it registered it), and certificates are
// keyed by their main domain with the primary's copy winning. Resolvers
// only the standby has are kept. Fields birdseye does not know pass through.
func MergeACME(standby, primary []byte) ([]byte, error) {
	var dst, src map[string]map[string]json.RawMessage
	if len(standby) > 0 {
		if err := json.Unmarshal(standby, &dst); err != nil {
			return nil, fmt.Errorf("the standby's ACME store is not Traefik's acme.json: %w", err)
		}
	}
	if err := json.Unmarshal(primary, &src); err != nil {
		return nil, fmt.Errorf("CLONE_ACME_SOURCE is not Traefik's acme.json: %w", err)
	}
	if dst == nil {
		dst = map[string]map[string]json.RawMessage{}
	}
	for resolver, s := range src {
		d := dst[resolver]
		if d == nil {
			d = map[string]json.RawMessage{}
		}
		for k, v := range s {
			if k == "Certificates" || (k == "Account" && hasValue(d["Account"])) {
				continue
			}
			d[k] = v
		}
		certs, err := mergeCerts(d["Certificates"], s["Certificates"])
		if err != nil {
			return nil, fmt.Errorf("resolver %s: %w", resolver, err)
		}
		d["Certificates"] = certs
		dst[resolver] = d
	}
	return json.Marshal(dst)
}

func hasValue(v json.RawMessage) bool { return len(v) > 0 && string(v) != "null" }

type cert struct {
	Domain struct {
		Main string `json:"main"`
	} `json:"domain"`
}

// mergeCerts unions two certificate lists by main domain, src winning,
// sorted by domain so repeated merges give the same file.
func mergeCerts(dst, src json.RawMessage) (json.RawMessage, error) {
	byMain := map[string]json.RawMessage{}
	for _, list := range []json.RawMessage{dst, src} {
		if !hasValue(list) {
			continue
		}
		var items []json.RawMessage
		if err := json.Unmarshal(list, &items); err != nil {
			return nil, fmt.Errorf("Certificates is not a list: %w", err)
		}
		for _, it := range items {
			var c cert
			if err := json.Unmarshal(it, &c); err != nil {
				return nil, fmt.Errorf("a certificate entry is not an object: %w", err)
			}
			byMain[c.Domain.Main] = it
		}
	}
	out := make([]json.RawMessage, 0, len(byMain))
	for _, m := range slices.Sorted(maps.Keys(byMain)) {
		out = append(out, byMain[m])
	}
	return json.Marshal(out)
}

// CertDomains lists the main domains in an ACME store, never keys: what
// `clone status` shows of the ingress.
func CertDomains(store []byte) ([]string, error) {
	var s map[string]struct {
		Certificates []cert `json:"Certificates"`
	}
	if err := json.Unmarshal(store, &s); err != nil {
		return nil, fmt.Errorf("not Traefik's acme.json: %w", err)
	}
	var out []string
	for _, r := range s {
		for _, c := range r.Certificates {
			out = append(out, c.Domain.Main)
		}
	}
	sort.Strings(out)
	return out, nil
}
