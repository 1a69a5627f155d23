package main

import (
	"context"
	"errors"
	"strings"

	"github.com/styliteag/birdseye/internal/setupkeys"
)

type setupKeysCmd struct {
	List   setupKeysListCmd   `cmd:"" help:"List the setup keys with their auto groups by name."`
	Show   setupKeysShowCmd   `cmd:"" help:"Show one setup key."`
	Update setupKeysUpdateCmd `cmd:"" help:"Change the auto groups of one key (--key) or all keys (--all-keys)."`
}

type setupKeysListCmd struct{ output }

func (c setupKeysListCmd) Run(ctx context.Context, e *env) error {
	return listKeys(ctx, e, c.output, "")
}

type setupKeysShowCmd struct {
	Name string `arg:"" help:"The key's name."`
	output
}

func (c setupKeysShowCmd) Run(ctx context.Context, e *env) error {
	return listKeys(ctx, e, c.output, c.Name)
}

func listKeys(ctx context.Context, e *env, o output, name string) error {
	_, client, err := tool(adminFirst, "")
	if err != nil {
		return err
	}
	w := e.stdout
	if o.json() {
		w = nil
	}
	keys, err := setupkeys.List(ctx, client, name, false, w)
	if err != nil {
		return usageOr(adminHint(err))
	}
	if o.json() {
		ids := []string{}
		for _, k := range keys {
			ids = append(ids, k.ID)
		}
		return apiJSON(ctx, e.stdout, client, "/setup-keys", ids...)
	}
	return nil
}

type setupKeysUpdateCmd struct {
	Key             string   `placeholder:"NAME" help:"The key to change, by exact name (or --all-keys)." xor:"target"`
	AllKeys         bool     `help:"Change every key (or --key)." xor:"target"`
	AddGroup        []string `placeholder:"GROUP" help:"Add this group (by name; repeatable)."`
	RemoveGroup     []string `placeholder:"GROUP" help:"Remove this group (by name; repeatable)."`
	RemoveAllGroups bool     `help:"Remove every group."`
	SetGroups       string   `placeholder:"GROUP,..." help:"Replace the groups with these (comma-separated names)."`
	DryRun          bool     `help:"Show the changes; write nothing."`
}

func (c setupKeysUpdateCmd) Run(ctx context.Context, e *env) error {
	ch := setupkeys.Change{Add: c.AddGroup, Remove: c.RemoveGroup, RemoveAll: c.RemoveAllGroups}
	if c.SetGroups != "" {
		ch.Set = []string{}
		for _, g := range strings.Split(c.SetGroups, ",") {
			if g = strings.TrimSpace(g); g != "" {
				ch.Set = append(ch.Set, g)
			}
		}
	}
	if ch.Empty() {
		return &flagError{Flag: "setup-keys update", Msg: "has nothing to change; expected --add-group, --remove-group, --remove-all-groups or --set-groups"}
	}
	_, client, err := tool(adminFirst, "")
	if err != nil {
		return err
	}
	_, err = setupkeys.Update(ctx, client, c.Key, c.AllKeys, ch, c.DryRun, e.stdout)
	return usageOr(adminHint(err))
}

// usageOr turns a refusal (ambiguous or unknown names) into a usage error
// (exit 2): the command line names something that is not there.
func usageOr(err error) error {
	var se *setupkeys.Error
	if errors.As(err, &se) {
		return &flagError{Flag: "setup-keys", Msg: "refused: " + se.Msg}
	}
	return err
}
