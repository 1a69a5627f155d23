// Package schedule runs birdseye's periodic jobs (ephemeral-peer cleanup,
// backups, …) inside the daemon with robfig/cron: standard 5-field specs and
// descriptors such as @hourly, in the configured time zone. A run never
// overlaps the previous run of the same job, and a job's error or panic is
// logged with its name without stopping anything else.
package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Job is one scheduled task.
type Job struct {
	Name string
	Spec string
	Run  func(ctx context.Context) error
}

// Parse checks a spec: five fields (minute hour day month weekday) or a
// descriptor (@hourly, @daily, @every 1h30m, …).
func Parse(spec string) (cron.Schedule, error) {
	return cron.ParseStandard(Normalise(spec))
}

// Normalise reads weekday 7 as Sunday, as Debian's cron (the Python tool's)
// does and robfig/cron does not: "0 3 * * 7" and a range ending in 7
// ("1-7") become 0 and "…-6,0".
func Normalise(spec string) string {
	f := strings.Fields(spec)
	if len(f) != 5 {
		return spec
	}
	parts := strings.Split(f[4], ",")
	for i, p := range parts {
		switch {
		case p == "7":
			parts[i] = "0"
		case strings.HasSuffix(p, "-7") && !strings.Contains(p, "/"):
			if from := strings.TrimSuffix(p, "-7"); from == "7" {
				parts[i] = "0"
			} else {
				parts[i] = from + "-6,0"
			}
		}
	}
	f[4] = strings.Join(parts, ",")
	return strings.Join(f, " ")
}

// Scheduler runs jobs until its context ends.
type Scheduler struct {
	loc  *time.Location
	log  *slog.Logger
	jobs []Job
	// OnRun, when set, is told about every run (for metrics).
	OnRun func(job string, err error)
}

// New returns a scheduler for times in loc.
func New(loc *time.Location, log *slog.Logger) *Scheduler {
	return &Scheduler{loc: loc, log: log}
}

// Add registers a job; its spec must parse.
func (s *Scheduler) Add(j Job) error {
	if _, err := Parse(j.Spec); err != nil {
		return fmt.Errorf("job %s: schedule %q: %w", j.Name, j.Spec, err)
	}
	s.jobs = append(s.jobs, j)
	return nil
}

// Jobs lists the registered jobs.
func (s *Scheduler) Jobs() []Job { return s.jobs }

// Run starts the jobs, logs each one's schedule and next run, and returns
// when ctx ends and the runs in progress have finished (or stop waits).
func (s *Scheduler) Run(ctx context.Context, stopWait time.Duration) {
	if len(s.jobs) == 0 {
		<-ctx.Done()
		return
	}
	c := cron.New(cron.WithLocation(s.loc))
	var wg sync.WaitGroup
	for _, j := range s.jobs {
		var running sync.Mutex
		id, _ := c.AddFunc(Normalise(j.Spec), func() {
			if !running.TryLock() {
				s.log.Warn("job still running; this run is skipped", "job", j.Name)
				return
			}
			defer running.Unlock()
			wg.Add(1)
			defer wg.Done()
			s.runOnce(ctx, j)
		})
		next := c.Entry(id).Schedule.Next(time.Now().In(s.loc))
		s.log.Info("job scheduled", "job", j.Name, "schedule", j.Spec, "next_run", next.Format(time.RFC3339))
	}
	c.Start()
	<-ctx.Done()
	done := c.Stop()
	select {
	case <-done.Done():
	case <-time.After(stopWait):
		s.log.Warn("jobs still running at shutdown; not waiting longer", "waited", stopWait)
	}
	wg.Wait()
}

// RunOnce runs a job now, as the scheduler would, recovering a panic.
func (s *Scheduler) RunOnce(ctx context.Context, j Job) error { return s.runOnce(ctx, j) }

func (s *Scheduler) runOnce(ctx context.Context, j Job) (err error) {
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
			s.log.Error("job panicked", "job", j.Name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
		if s.OnRun != nil {
			s.OnRun(j.Name, err)
		}
	}()
	s.log.Info("job started", "job", j.Name)
	if err = j.Run(ctx); err != nil {
		s.log.Error("job failed", "job", j.Name, "err", err, "took", time.Since(start).Round(time.Millisecond))
		return err
	}
	s.log.Info("job finished", "job", j.Name, "took", time.Since(start).Round(time.Millisecond))
	return nil
}
