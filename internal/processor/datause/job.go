package datause

import (
	"context"

	"github.com/riverqueue/river"
)

// ExtractArgs is the periodic job that makes queued copies. A copy is
// claimed with a row lock, so any number of workers may run it; a copy
// whose worker was killed is taken over after a while (RunQueued).
type ExtractArgs struct{}

// Kind names the job.
func (ExtractArgs) Kind() string { return "data_use_extract" }

// ExtractWorker works ExtractArgs.
type ExtractWorker struct {
	river.WorkerDefaults[ExtractArgs]
	Service *Service
}

// Work makes every queued copy.
func (w *ExtractWorker) Work(ctx context.Context, _ *river.Job[ExtractArgs]) error {
	return w.Service.RunQueued(ctx)
}
