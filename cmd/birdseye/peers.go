package main

import (
	"context"
	"fmt"
	"time"

	"github.com/styliteag/birdseye/internal/cleanup"
	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/tables"
)

type peersCmd struct {
	List  peersListCmd  `cmd:"" help:"List the peers: IP, connected, ephemeral, last seen, OS, version, groups."`
	Prune peersPruneCmd `cmd:"" help:"Delete peers offline for long (dry run unless --apply; needs NB_ADMIN_API_KEY)."`
}

type peersListCmd struct{ output }

func (c peersListCmd) Run(ctx context.Context, e *env) error {
	_, client, err := tool(readToken, "peers list")
	if err != nil {
		return err
	}
	if c.json() {
		return apiJSON(ctx, e.stdout, client, "/peers")
	}
	peers, err := client.ListPeers(ctx)
	if err != nil {
		return adminHint(err)
	}
	tables.Peers(e.stdout, peers, time.Now())
	return nil
}

type peersPruneCmd struct {
	OfflineDays float64  `required:"" placeholder:"DAYS" help:"Delete peers not seen for more than this many days."`
	Group       []string `placeholder:"GLOB" help:"Only peers in a group matching this glob (repeatable)."`
	Name        []string `placeholder:"GLOB" help:"Only peers whose name matches this glob (repeatable)."`
	Max         int      `default:"20" help:"Refuse, deleting nothing, when more peers than this qualify."`
	Apply       bool     `help:"Delete. Without it, only show what would be deleted."`
	DryRun      bool     `help:"Only show what would be deleted (the default; as every changing command takes it)."`
}

// Run deletes ordinary peers that have been offline for long. Peers in
// PRUNE_PROTECT_GROUPS are never deleted.
func (c peersPruneCmd) Run(ctx context.Context, e *env) error {
	if c.OfflineDays < 1 {
		return &flagError{Flag: "--offline-days", Msg: fmt.Sprintf("=%g is below one day; expected a number of days, e.g. 90", c.OfflineDays)}
	}
	if c.Max < 1 {
		return &flagError{Flag: "--max", Msg: fmt.Sprintf("=%d; expected at least 1", c.Max)}
	}
	if c.DryRun && c.Apply {
		return &flagError{Flag: "--dry-run", Msg: "and --apply contradict each other; expected one of them"}
	}
	var groups, names []event.Glob
	for _, l := range []struct {
		flag string
		in   []string
		out  *[]event.Glob
	}{{"--group", c.Group, &groups}, {"--name", c.Name, &names}} {
		for _, s := range l.in {
			g, err := event.ParseGlob(s)
			if err != nil {
				return &flagError{Flag: l.flag, Msg: err.Error() + "; expected a glob such as Laptops or ci-*"}
			}
			*l.out = append(*l.out, g)
		}
	}
	t, client, err := tool(adminToken, "peers prune")
	if err != nil {
		return err
	}
	_, err = cleanup.Prune(ctx, client, cleanup.PruneOptions{
		OfflineFor: time.Duration(c.OfflineDays * 24 * float64(time.Hour)), Groups: groups, Names: names,
		Protect: t.Prune.ProtectGroups.Globs, Max: c.Max, Apply: c.Apply,
	}, time.Now(), e.stdout)
	return adminHint(err)
}
