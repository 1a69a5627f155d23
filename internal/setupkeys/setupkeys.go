// Package setupkeys lists setup keys with their auto groups by name and
// changes the auto groups of one key or of all keys, as the old tool's
// setup_keys script did: names are resolved exactly, an ambiguous key or
// group name is refused, every change is printed before → after, and a dry
// run writes nothing.
package setupkeys

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/render"
)

// API is what the command needs; *netbird.Client is one.
type API interface {
	ListGroups(ctx context.Context) ([]netbird.Group, error)
	ListSetupKeys(ctx context.Context) ([]netbird.SetupKey, error)
	UpdateSetupKey(ctx context.Context, id string, autoGroups []string, revoked bool) (netbird.SetupKey, error)
}

// Change says how to change the auto groups.
type Change struct {
	Add, Remove []string // group names
	RemoveAll   bool
	Set         []string // replaces the list (names); nil = not given
}

// Empty reports whether nothing is to change.
func (c Change) Empty() bool {
	return len(c.Add) == 0 && len(c.Remove) == 0 && !c.RemoveAll && c.Set == nil
}

// Error is a refusal with the reason (ambiguous or unknown names).
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

type names struct {
	byID   map[string]string
	byName map[string]string
}

func loadGroups(ctx context.Context, api API) (names, error) {
	gs, err := api.ListGroups(ctx)
	if err != nil {
		return names{}, fmt.Errorf("list groups: %w", err)
	}
	n := names{byID: map[string]string{}, byName: map[string]string{}}
	for _, g := range gs {
		if prev, dup := n.byName[g.Name]; dup {
			return n, &Error{fmt.Sprintf("duplicate group name %q (ids %s and %s); refusing to guess", g.Name, prev, g.ID)}
		}
		n.byName[g.Name] = g.ID
		n.byID[g.ID] = g.Name
	}
	return n, nil
}

func (n names) label(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		if name, ok := n.byID[id]; ok {
			out[i] = name
		} else {
			out[i] = id
		}
	}
	return "[" + strings.Join(out, ", ") + "]"
}

func (n names) ids(groupNames []string) ([]string, error) {
	var out []string
	for _, name := range groupNames {
		id, ok := n.byName[name]
		if !ok {
			known := slices.Sorted(maps.Keys(n.byName))
			return nil, &Error{fmt.Sprintf("unknown group name %q; the groups are: %s", name, strings.Join(known, ", "))}
		}
		out = append(out, id)
	}
	return out, nil
}

// Select returns the keys a command acts on: the one named key (exactly one
// must match), or every key.
func Select(keys []netbird.SetupKey, name string, all bool) ([]netbird.SetupKey, error) {
	if all || name == "" {
		return keys, nil
	}
	var out []netbird.SetupKey
	var ids []string
	for _, k := range keys {
		if k.Name == name {
			out = append(out, k)
			ids = append(ids, k.ID)
		}
	}
	switch len(out) {
	case 0:
		return nil, &Error{fmt.Sprintf("no setup key found with name %q", name)}
	case 1:
		return out, nil
	}
	return nil, &Error{fmt.Sprintf("multiple setup keys named %q: %s; refusing to guess", name, strings.Join(ids, ", "))}
}

// List prints the keys as the old tool did.
func List(ctx context.Context, api API, key string, all bool, w io.Writer) ([]netbird.SetupKey, error) {
	n, err := loadGroups(ctx, api)
	if err != nil {
		return nil, err
	}
	keys, err := api.ListSetupKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list setup keys: %w", err)
	}
	targets, err := Select(keys, key, all)
	if err != nil {
		return nil, err
	}
	if w != nil {
		fmt.Fprintf(w, "setup keys (%d):\n", len(targets))
		for _, k := range targets {
			fmt.Fprintf(w, "  %-25s  id=%s  ephemeral=%-5s  revoked=%-5s  groups=%s\n", k.Name, k.ID, render.PyBool(k.Ephemeral), render.PyBool(k.Revoked), n.label(k.AutoGroups))
		}
	}
	return targets, nil
}

// Update applies a change to the named key (or all keys) and reports each
// key before → after. It returns how many keys changed.
func Update(ctx context.Context, api API, key string, all bool, c Change, dryRun bool, w io.Writer) (int, error) {
	if key == "" && !all {
		return 0, &Error{"a change needs --key NAME or --all-keys"}
	}
	n, err := loadGroups(ctx, api)
	if err != nil {
		return 0, err
	}
	keys, err := api.ListSetupKeys(ctx)
	if err != nil {
		return 0, fmt.Errorf("list setup keys: %w", err)
	}
	targets, err := Select(keys, key, all)
	if err != nil {
		return 0, err
	}
	add, err := n.ids(c.Add)
	if err != nil {
		return 0, err
	}
	remove, err := n.ids(c.Remove)
	if err != nil {
		return 0, err
	}
	set, err := n.ids(c.Set)
	if err != nil {
		return 0, err
	}
	changed := 0
	for _, k := range targets {
		next := plan(k.AutoGroups, c, add, remove, set)
		if slices.Equal(next, k.AutoGroups) || (len(next) == 0 && len(k.AutoGroups) == 0) {
			fmt.Fprintf(w, "  skip   %s: auto_groups unchanged (%s)\n", k.Name, n.label(k.AutoGroups))
			continue
		}
		changed++
		if dryRun {
			fmt.Fprintf(w, "  would update %s: %s -> %s\n", k.Name, n.label(k.AutoGroups), n.label(next))
			continue
		}
		fmt.Fprintf(w, "  update %s: %s -> %s\n", k.Name, n.label(k.AutoGroups), n.label(next))
		got, err := api.UpdateSetupKey(ctx, k.ID, next, k.Revoked)
		if err != nil {
			return changed - 1, fmt.Errorf("update setup key %s: %w", k.Name, err)
		}
		fmt.Fprintf(w, "  updated %s: now %s\n", k.Name, n.label(got.AutoGroups))
	}
	verb := "changed"
	if dryRun {
		verb = "would change"
	}
	fmt.Fprintf(w, "Done. %s=%d, total=%d.\n", verb, changed, len(targets))
	return changed, nil
}

// plan is the old precedence: remove all, else set, else minus removed plus added.
func plan(current []string, c Change, add, remove, set []string) []string {
	switch {
	case c.RemoveAll:
		return []string{}
	case c.Set != nil:
		return set
	}
	var next []string
	for _, id := range current {
		if !slices.Contains(remove, id) {
			next = append(next, id)
		}
	}
	for _, id := range add {
		if !slices.Contains(next, id) {
			next = append(next, id)
		}
	}
	if next == nil {
		next = []string{}
	}
	return next
}
