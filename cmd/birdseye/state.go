package main

import (
	"fmt"
	"path/filepath"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/state"
)

type stateCmd struct {
	FixOwner stateFixOwnerCmd `cmd:"" name:"fix-owner" help:"Hand the state directory to the image's user (${uid}), for a volume written by the Python image (run once as root: ${fix})."`
}

type stateFixOwnerCmd struct {
	UID int `default:"65532" placeholder:"N" help:"Owner to give the files."`
	GID int `default:"65532" placeholder:"N" help:"Group to give the files."`
}

// Run changes the owner and mode of everything in the state directory and
// prints one line for each path it changed.
func (c stateFixOwnerCmd) Run(e *env) error {
	if err := config.LoadDotEnv(".env"); err != nil {
		return err
	}
	f, err := config.LoadForwarder()
	if err != nil {
		return err
	}
	dir := filepath.Dir(f.StateFile)
	n := 0
	err = state.FixOwner(dir, c.UID, c.GID, func(path, change string) {
		n++
		fmt.Fprintf(e.stdout, "%s: %s\n", path, change)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: %d paths changed; every file now belongs to %d:%d\n", dir, n, c.UID, c.GID)
	return nil
}
