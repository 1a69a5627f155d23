package configdoc

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load reads a document (YAML, or JSON, which YAML reads too) and checks
// it before anything is written anywhere: its format, and that every name
// it refers to is in it. An error names the file, the line and the
// reason.
func Load(r io.Reader, name string) (*Doc, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("%s: not YAML or JSON: %v", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	d := &Doc{}
	if err := root.Decode(d); err != nil {
		return nil, fmt.Errorf("%s: %v", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	switch {
	case d.Format == 0:
		return nil, fmt.Errorf("%s: not a configuration document of birdseye export --by-name (no birdseye_config: 1)", name)
	case d.Format > FormatVersion:
		return nil, fmt.Errorf("%s: birdseye_config: %d is newer than this birdseye reads (%d)", name, d.Format, FormatVersion)
	}
	if errs := d.check(); len(errs) > 0 {
		var lines []string
		for _, e := range errs {
			lines = append(lines, fmt.Sprintf("%s:%d: %s", name, lineOf(&root, e.section, e.value), e.msg))
		}
		return nil, errors.New(strings.Join(lines, "\n"))
	}
	return d, nil
}

type problem struct {
	section, value, msg string
}

// check finds every reference to a name the document does not have.
func (d *Doc) check() []problem {
	have := map[string][]string{}
	add := func(kind string, l []obj) {
		for _, o := range l {
			have[kind] = append(have[kind], str(o["name"]))
		}
	}
	add(kGroup, d.Groups)
	add(kPeer, d.Peers)
	add(kPosture, d.PostureChecks)
	for _, n := range d.Networks {
		add(kResource, objs(n["resources"]))
	}
	var out []problem
	need := func(section, owner, kind string, v any) {
		for _, n := range strs(v) {
			if !slices.Contains(have[kind], n) {
				out = append(out, problem{section, n, fmt.Sprintf("%s names %s %q, which the document does not have", owner, kind, n)})
			}
		}
	}
	one := func(section, owner, kind string, v any) {
		if s := str(v); s != "" {
			need(section, owner, kind, []any{s})
		}
	}
	for _, g := range d.Groups {
		need("groups", "group "+quote(g["name"]), kPeer, g["peers"])
		need("groups", "group "+quote(g["name"]), kResource, g["resources"])
	}
	for _, u := range d.Users {
		need("users", "user "+quote(userKey(u)), kGroup, u["auto_groups"])
	}
	for _, p := range d.Policies {
		owner := "policy " + quote(p["name"])
		need("policies", owner, kPosture, p["source_posture_checks"])
		for _, r := range objs(p["rules"]) {
			need("policies", owner, kGroup, r["sources"])
			need("policies", owner, kGroup, r["destinations"])
			for _, k := range []string{"sourceResource", "destinationResource"} {
				if m, ok := r[k].(obj); ok {
					kind := kResource
					if str(m["type"]) == "peer" {
						kind = kPeer
					}
					one("policies", owner, kind, m["name"])
				}
			}
			if ag, ok := r["authorized_groups"].(obj); ok {
				for g := range ag {
					need("policies", owner, kGroup, []any{g})
				}
			}
		}
	}
	for _, n := range d.Networks {
		owner := "network " + quote(n["name"])
		for _, r := range objs(n["resources"]) {
			need("networks", owner, kGroup, r["groups"])
		}
		for _, r := range objs(n["routers"]) {
			one("networks", owner, kPeer, r["peer"])
			need("networks", owner, kGroup, r["peer_groups"])
		}
	}
	for _, r := range d.Routes {
		owner := "route " + quote(r["network_id"])
		one("routes", owner, kPeer, r["peer"])
		for _, k := range []string{"peer_groups", "groups", "access_control_groups"} {
			need("routes", owner, kGroup, r[k])
		}
	}
	for _, k := range d.SetupKeys {
		need("setup_keys", "setup key "+quote(k["name"]), kGroup, k["auto_groups"])
	}
	for _, ns := range d.Nameservers {
		need("nameservers", "nameserver group "+quote(ns["name"]), kGroup, ns["groups"])
	}
	need("dns_settings", "dns_settings", kGroup, d.DNS["disabled_management_groups"])
	return out
}

func quote(v any) string { return fmt.Sprintf("%q", str(v)) }

// lineOf is the line of the first scalar equal to value under the
// document's section (1 when it is not found).
func lineOf(root *yaml.Node, section, value string) int {
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		if doc.Content[i].Value == section {
			if n := find(doc.Content[i+1], value); n != nil {
				return n.Line
			}
			return doc.Content[i].Line
		}
	}
	return 1
}

func find(n *yaml.Node, value string) *yaml.Node {
	if n.Kind == yaml.ScalarNode && n.Value == value {
		return n
	}
	for _, c := range n.Content {
		if f := find(c, value); f != nil {
			return f
		}
	}
	return nil
}

// LoadPath reads a document, or every .yaml, .yml and .json document of a
// directory (in name order) as one: their sections are joined, and a
// setting given twice is refused.
func LoadPath(path string) (*Doc, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return Load(f, path)
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	all := &Doc{Format: FormatVersion}
	n := 0
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || ext != ".yaml" && ext != ".yml" && ext != ".json" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(path, e.Name()))
		if err != nil {
			return nil, err
		}
		var part Doc
		if err := yaml.Unmarshal(b, &part); err != nil {
			return nil, fmt.Errorf("%s: not YAML or JSON: %v", filepath.Join(path, e.Name()), strings.TrimPrefix(err.Error(), "yaml: "))
		}
		if part.Format == 0 {
			continue // not a document of ours (a README.yaml, a CI file)
		}
		n++
		if part.Settings != nil {
			if all.Settings != nil {
				return nil, fmt.Errorf("%s: settings are given in two documents", path)
			}
			all.Settings = part.Settings
		}
		if part.DNS != nil {
			if all.DNS != nil {
				return nil, fmt.Errorf("%s: dns_settings are given in two documents", path)
			}
			all.DNS = part.DNS
		}
		all.Groups = append(all.Groups, part.Groups...)
		all.Peers = append(all.Peers, part.Peers...)
		all.Users = append(all.Users, part.Users...)
		all.PostureChecks = append(all.PostureChecks, part.PostureChecks...)
		all.Policies = append(all.Policies, part.Policies...)
		all.Networks = append(all.Networks, part.Networks...)
		all.Routes = append(all.Routes, part.Routes...)
		all.SetupKeys = append(all.SetupKeys, part.SetupKeys...)
		all.Nameservers = append(all.Nameservers, part.Nameservers...)
	}
	if n == 0 {
		return nil, fmt.Errorf("%s: no configuration document (birdseye_config: 1) in the directory", path)
	}
	var b strings.Builder
	if err := all.Write(&b, "yaml"); err != nil {
		return nil, err
	}
	return Load(strings.NewReader(b.String()), path+" (the documents joined; lines of the joined document)") // checked as one
}
