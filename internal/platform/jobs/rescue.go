package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// A job killed with its worker stays "running" in River until RescueAfter
// (hours, since a backup or an export may run that long). Work that must
// come back sooner keeps a heartbeat of its own (KeepAlive), and the
// rescue job re-queues it once the heartbeat stops: within about a
// minute, HeartbeatEvery and StaleAfter apart.
const (
	// HeartbeatEvery is how often a running job writes its heartbeat.
	HeartbeatEvery = 15 * time.Second
	// StaleAfter is how long a heartbeat may be silent before the work is
	// taken to have lost its worker (three missed beats).
	StaleAfter = 45 * time.Second
	// RescueEvery is how often the rescue job looks.
	RescueEvery = 15 * time.Second
)

// ErrTakenOver ends a run whose work another run took over (its heartbeat
// was silent for StaleAfter: the process paused, the database was away).
var ErrTakenOver = errors.New("jobs: the work was taken over by another run")

// KeepAlive runs beat every HeartbeatEvery until stop is called. beat
// writes the heartbeat and reports whether this run still holds the work;
// once it does not, the returned context is cancelled with ErrTakenOver so
// the run stops. A beat that fails (the database briefly away) is logged
// and tried again at the next tick.
func KeepAlive(ctx context.Context, beat func(context.Context) (bool, error)) (context.Context, func()) {
	run, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(HeartbeatEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-run.Done():
				return
			case <-t.C:
			}
			held, err := beat(run)
			switch {
			case err != nil:
				slog.WarnContext(ctx, "jobs: heartbeat not written", "err", err)
			case !held:
				cancel(ErrTakenOver)
				return
			}
		}
	}()
	return run, func() { close(done); cancel(nil) }
}

// Check reports whether a running job of its kind lost its worker, from
// the job's encoded arguments: the work's own heartbeat is StaleAfter old
// (or it never started). The rescue asks only about jobs running longer
// than StaleAfter.
type Check func(ctx context.Context, args []byte) (bool, error)

// RescueArgs is the periodic job that re-queues work whose worker died.
type RescueArgs struct{}

// Kind names the job.
func (RescueArgs) Kind() string { return "job_rescue" }

// RescueWorker works RescueArgs for the kinds in Checks.
type RescueWorker struct {
	river.WorkerDefaults[RescueArgs]
	Checks map[string]Check
}

// Work inserts a new job, with the same arguments, for each running job of
// a checked kind whose work lost its worker. The dead job's row stays
// "running" until River rescues it after RescueAfter; by then the work is
// done or held, and that attempt finds nothing to do. At most one new job
// a minute per work, however long the queue keeps it waiting.
func (w *RescueWorker) Work(ctx context.Context, _ *river.Job[RescueArgs]) error {
	kinds := make([]string, 0, len(w.Checks))
	for k := range w.Checks {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	c := river.ClientFromContext[pgx.Tx](ctx)
	res, err := c.JobList(ctx, river.NewJobListParams().Kinds(kinds...).States(rivertype.JobStateRunning).First(1000))
	if err != nil {
		return fmt.Errorf("jobs: rescue: list running: %w", err)
	}
	for _, j := range res.Jobs {
		if j.AttemptedAt == nil || time.Since(*j.AttemptedAt) < StaleAfter {
			continue
		}
		dead, err := w.Checks[j.Kind](ctx, j.EncodedArgs)
		if err != nil {
			slog.WarnContext(ctx, "jobs: rescue: check", "job_id", j.ID, "kind", j.Kind, "err", err)
			continue
		}
		if !dead {
			continue
		}
		res, err := c.Insert(ctx, rawArgs{kind: j.Kind, args: j.EncodedArgs},
			&river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: time.Minute}})
		if err != nil {
			return fmt.Errorf("jobs: rescue: re-queue job %d: %w", j.ID, err)
		}
		if !res.UniqueSkippedAsDuplicate {
			slog.InfoContext(ctx, "jobs: re-queued work whose worker died", "job_id", j.ID, "kind", j.Kind, "new_job_id", res.Job.ID)
		}
	}
	return nil
}

// rawArgs re-inserts a job's arguments as they were encoded.
type rawArgs struct {
	kind string
	args json.RawMessage
}

func (r rawArgs) Kind() string                 { return r.kind }
func (r rawArgs) MarshalJSON() ([]byte, error) { return r.args, nil }
