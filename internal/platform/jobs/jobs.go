// Package jobs runs background work on River, a PostgreSQL-backed queue
// shared by every worker process: a job is taken by exactly one worker, and
// periodic jobs are scheduled only by the elected leader, so adding
// replicas neither loses nor duplicates work.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/schoolcloud/lms/internal/platform/database"
)

// Client is the River client type used throughout.
type Client = river.Client[pgx.Tx]

// Spec is what a process registers: workers and periodic schedules.
type Spec struct {
	Workers  *river.Workers
	Periodic []*river.PeriodicJob
}

// JobTimeout is how long one job may run; RescueAfter is when a job still
// marked running (its worker died) is retried by another worker (work that
// must come back sooner keeps a heartbeat: see KeepAlive and RescueArgs).
const (
	JobTimeout  = 4 * time.Hour
	RescueAfter = 5 * time.Hour
)

// How long River keeps finished jobs' rows. Their arguments name tenants
// and the work (ids only), so they are kept no longer than they serve:
// a day for completed and cancelled jobs, which is also the longest
// period a job is unique in (the daily backup per tenant: with a shorter
// retention a repeated run the same day would queue a second backup);
// a week for discarded ones (failed for good), for an operator to see
// why. A tenant's rows go at once with its contract-end deletion.
const (
	CompletedRetention = 24 * time.Hour
	CancelledRetention = 24 * time.Hour
	DiscardedRetention = 7 * 24 * time.Hour
)

// NewWorker returns a client that works jobs; call Start on it.
func NewWorker(db *database.DB, spec Spec, concurrency int) (*Client, error) {
	c, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: concurrency}},
		Workers:      spec.Workers,
		PeriodicJobs: spec.Periodic,
		Logger:       slog.Default(),
		// River cancels a job after a minute by default: a tenant's backup,
		// full export, deletion or restore takes longer. Jobs get JobTimeout,
		// and only a job running past RescueAfter is taken for stuck and
		// retried elsewhere (the long ones are resumable or idempotent).
		JobTimeout:                  JobTimeout,
		RescueStuckJobsAfter:        RescueAfter,
		CompletedJobRetentionPeriod: CompletedRetention,
		CancelledJobRetentionPeriod: CancelledRetention,
		DiscardedJobRetentionPeriod: DiscardedRetention,
		// The reindexer runs REINDEX CONCURRENTLY, which only the tables'
		// owner may: the server's role owns nothing, so it is off here and
		// the DBA's maintenance reindexes (see deploy/README.md).
		ReindexerIndexNames: []string{},
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: worker client: %w", err)
	}
	return c, nil
}

// NewInserter returns a client that only enqueues (the API process).
// Enqueue inside the transaction that causes the job, with InsertTx.
func NewInserter(db *database.DB, workers *river.Workers) (*Client, error) {
	c, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{Workers: workers, Logger: slog.Default()})
	if err != nil {
		return nil, fmt.Errorf("jobs: insert client: %w", err)
	}
	return c, nil
}

// Run starts c and blocks until ctx ends, then stops it gracefully.
func Run(ctx context.Context, c *Client, started func()) error {
	if err := c.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	started()
	<-ctx.Done()
	return c.Stop(context.WithoutCancel(ctx))
}

// Enqueuer inserts jobs from the API process. Scoped transactions run on
// a plain connection (see access.Transact), not a driver transaction River
// could join, so work that must not be lost is recorded as a row in the
// caller's transaction and a periodic job picks up any row whose job was
// never inserted; Enqueue after commit only makes it start at once.
type Enqueuer struct {
	c *Client
}

// NewEnqueuer returns an insert-only client.
func NewEnqueuer(db *database.DB) (*Enqueuer, error) {
	c, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{Logger: slog.Default()})
	if err != nil {
		return nil, fmt.Errorf("jobs: enqueuer: %w", err)
	}
	return &Enqueuer{c: c}, nil
}

// Enqueue inserts args; callers have already committed the row the job
// works on, so a failure here only delays the work until the sweep.
func (e *Enqueuer) Enqueue(ctx context.Context, args river.JobArgs) error {
	if _, err := e.c.Insert(ctx, args, nil); err != nil {
		return fmt.Errorf("jobs: enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// InsertMany inserts jobs from inside a running job, with the client that
// runs it (a job that fans out: one job per tenant).
func InsertMany(ctx context.Context, params []river.InsertManyParams) error {
	if _, err := river.ClientFromContext[pgx.Tx](ctx).InsertMany(ctx, params); err != nil {
		return fmt.Errorf("jobs: insert %d: %w", len(params), err)
	}
	return nil
}
