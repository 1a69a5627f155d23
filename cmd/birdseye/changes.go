package main

import (
	"path/filepath"
	"time"

	"github.com/styliteag/birdseye/internal/changes"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/traffic"
)

type changesCmd struct {
	Since string `default:"7d" help:"From when: RFC 3339 or back from now (24h, 7d)."`
	output
}

// Run prints the configuration changes the daemon recorded (CHANGE_DIFFS)
// over a period, with who made them, from the change log beside STATE_FILE.
func (c changesCmd) Run(e *env) error {
	f, err := config.LoadForwarder()
	if err != nil {
		return err
	}
	log, err := config.LoadLog()
	if err != nil {
		return err
	}
	now := time.Now()
	since, err := traffic.ParseTime(c.Since, now)
	if err != nil {
		return &flagError{Flag: "--since", Msg: "=" + err.Error()}
	}
	recs, err := changes.ReadLog(filepath.Join(filepath.Dir(f.StateFile), "changes.jsonl"), since)
	if err != nil {
		return err
	}
	if c.json() {
		if recs == nil {
			recs = []changes.Record{}
		}
		return writeJSON(e.stdout, recs)
	}
	changes.Report(e.stdout, recs, since, now, log.TZ.Loc)
	return nil
}
