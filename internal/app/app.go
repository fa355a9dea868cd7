// Package app wires the platform together: the services (services.New) and
// the front ends over them, shared by every `lms` subcommand and by the
// end-to-end tests, so they exercise exactly what production runs.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

	"github.com/schoolcloud/lms/internal/controller/handback"
	"github.com/schoolcloud/lms/internal/controller/retention"
	"github.com/schoolcloud/lms/internal/controller/subject"
	"github.com/schoolcloud/lms/internal/httpapi"
	"github.com/schoolcloud/lms/internal/idempotency"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/comms"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/lms/notify"
	"github.com/schoolcloud/lms/internal/lms/rostersync"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/jobs"
	"github.com/schoolcloud/lms/internal/platform/metrics"
	"github.com/schoolcloud/lms/internal/platform/objstore"
	"github.com/schoolcloud/lms/internal/processor/alert"
	"github.com/schoolcloud/lms/internal/processor/backup"
	"github.com/schoolcloud/lms/internal/processor/datause"
	"github.com/schoolcloud/lms/internal/processor/lifecycle"
	"github.com/schoolcloud/lms/internal/processor/support"
	"github.com/schoolcloud/lms/internal/request"
	"github.com/schoolcloud/lms/internal/services"
	"github.com/schoolcloud/lms/internal/web"
)

// App is the wired platform: the services and the HTTP handler built over
// them: the request kernel, and the API and the pages standing on it.
type App struct {
	services.Set
	Handler http.Handler
	Kernel  *request.Kernel
	API     *httpapi.Server
}

// New connects to the database and object store and builds the services.
func New(ctx context.Context, cfg config.Config) (*App, error) {
	db, err := database.Open(ctx, cfg.DatabaseURL, cfg.DatabaseMaxConns)
	if err != nil {
		return nil, err
	}
	store := objstore.New(objstore.Config{Endpoint: cfg.S3Endpoint, Region: cfg.S3Region, AccessKey: cfg.S3AccessKey,
		SecretKey: cfg.S3SecretKey, BucketPrefix: cfg.S3BucketPrefix, PathStyle: cfg.S3PathStyle})
	return Build(cfg, db, store)
}

// Build wires the services over an open database and store, and the
// front ends over them.
func Build(cfg config.Config, db *database.DB, store *objstore.Store) (*App, error) {
	set, err := services.New(cfg, db, store)
	if err != nil {
		return nil, err
	}
	a := &App{Set: set}
	site := web.New(a.Set)
	a.Kernel = request.New(request.Deps{Config: cfg, DB: db, Identity: a.Identity, Authz: a.Authz,
		Tenants: a.Tenants, Support: a.Support, Integrations: a.Integrations}, site)
	// One registry a process, the kernel's: the API's /metrics and the
	// worker's serve it.
	metrics.Register(a.Kernel.Registry, db, store)
	a.API = httpapi.New(a.Set, a.Kernel)
	a.Handler = a.Kernel.Engine(a.API.Routes(), site.Routes())
	site.Describe(a.Kernel.Routes())
	return a, nil
}

// Close releases connections.
func (a *App) Close() { a.DB.Close() }

// JobSpec is every worker and periodic job of the platform.
func (a *App) JobSpec() jobs.Spec {
	w := river.NewWorkers()
	river.AddWorker(w, &identity.SweepWorker{Service: a.Identity})
	river.AddWorker(w, &idempotency.SweepWorker{Store: idempotency.New(a.DB)})
	river.AddWorker(w, &files.SweepWorker{Service: a.Files})
	river.AddWorker(w, &alert.DeliverWorker{Service: a.Alerts})
	river.AddWorker(w, &datause.ExtractWorker{Service: a.DataUse})
	river.AddWorker(w, &datause.PurgeWorker{Service: a.DataUse})
	river.AddWorker(w, &support.NoticeWorker{Service: a.Support})
	river.AddWorker(w, &subject.ExportWorker{Service: a.Subjects})
	river.AddWorker(w, &subject.SweepWorker{Service: a.Subjects})
	river.AddWorker(w, &retention.EnforceWorker{Service: a.Retention})
	river.AddWorker(w, &lifecycle.DeleteWorker{Service: a.Lifecycle})
	river.AddWorker(w, &lifecycle.SweepWorker{Service: a.Lifecycle})
	river.AddWorker(w, &handback.ExportWorker{Service: a.Handback})
	river.AddWorker(w, &lifecycle.WatchWorker{Service: a.Lifecycle})
	river.AddWorker(w, &backup.MakeWorker{Service: a.Backups})
	river.AddWorker(w, &backup.MakeTenantWorker{Service: a.Backups})
	river.AddWorker(w, &backup.PurgeWorker{Service: a.Backups})
	river.AddWorker(w, &backup.RestoreWorker{Service: a.Backups})
	river.AddWorker(w, &comms.DeliverWorker{Service: a.Comms})
	river.AddWorker(w, &course.RolloverWorker{Service: a.Courses})
	river.AddWorker(w, &comms.SweepWorker{Service: a.Comms})
	river.AddWorker(w, &notify.DueWorker{Service: a.Notify})
	river.AddWorker(w, &notify.DigestWorker{Service: a.Notify})
	river.AddWorker(w, &rostersync.RunWorker{Service: a.RosterSync})
	river.AddWorker(w, &rostersync.SweepWorker{Service: a.RosterSync})
	// Exports keep a heartbeat: one whose worker died runs again within
	// about a minute, not when River rescues its job hours later.
	river.AddWorker(w, &jobs.RescueWorker{Checks: map[string]jobs.Check{
		subject.ExportArgs{}.Kind():  a.Subjects.Stalled,
		handback.ExportArgs{}.Kind(): a.Handback.Stalled,
		course.RolloverArgs{}.Kind(): a.Courses.Stalled,
	}})
	return jobs.Spec{Workers: w, Periodic: []*river.PeriodicJob{
		every(jobs.RescueEvery, jobs.RescueArgs{}),
		hourly(identity.SweepArgs{}),
		hourly(idempotency.SweepArgs{}),
		hourly(files.SweepArgs{}),
		every(time.Minute, alert.DeliverArgs{}),
		every(time.Minute, datause.ExtractArgs{}),
		hourly(datause.PurgeArgs{}),
		hourly(support.NoticeArgs{}),
		every(5*time.Minute, subject.SweepArgs{}),
		every(24*time.Hour, retention.EnforceArgs{}),
		every(5*time.Minute, lifecycle.SweepArgs{}),
		hourly(lifecycle.WatchArgs{}),
		every(time.Minute, comms.SweepArgs{}),
		every(15*time.Minute, notify.DueArgs{}),
		hourly(notify.DigestArgs{}),
		every(time.Minute, rostersync.SweepArgs{}),
		daily(backup.MakeArgs{}),
		every(24*time.Hour, backup.PurgeArgs{}),
	}}
}

// daily schedules a job every day at 02:00 UTC. Not "24 hours after the
// leader started": every deploy or lost lease would push that back a day,
// and a team releasing daily would never get a backup.
func daily(args river.JobArgs) *river.PeriodicJob {
	return river.NewPeriodicJob(dailyAt{hour: 2}, func() (river.JobArgs, *river.InsertOpts) {
		return args, oncePer(24 * time.Hour)
	}, nil)
}

// dailyAt is a river.PeriodicSchedule: the next hour:00 UTC.
type dailyAt struct{ hour int }

func (d dailyAt) Next(now time.Time) time.Time {
	now = now.UTC()
	next := time.Date(now.Year(), now.Month(), now.Day(), d.hour, 0, 0, 0, time.UTC)
	if !next.After(now) {
		next = next.AddDate(0, 0, 1)
	}
	return next
}

// hourly schedules a job every hour, and once when the leader starts.
func hourly(args river.JobArgs) *river.PeriodicJob { return every(time.Hour, args) }

// every schedules a job every d, and once when the leader starts.
func every(d time.Duration, args river.JobArgs) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(d), func() (river.JobArgs, *river.InsertOpts) {
		return args, oncePer(d)
	}, &river.PeriodicJobOpts{RunOnStart: true})
}

// oncePer makes a periodic job unique within its period. Only the elected
// leader schedules, but a new leader (after a deploy or a lost lease) runs
// its RunOnStart jobs at once; without this the job the old leader had just
// inserted would be inserted a second time.
func oncePer(d time.Duration) *river.InsertOpts {
	return &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: d}}
}

// Serve runs the HTTP API until ctx ends, listening for role changes made
// by other processes.
func (a *App) Serve(ctx context.Context) error {
	go a.Authz.Listen(ctx, a.DB.Pool)
	err := request.Listen(ctx, a.Config.HTTPAddr, a.Handler)
	// The usage counted since the last flush would go with the process
	// (every replica of a rolling deploy): write it before leaving.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if ferr := a.Kernel.FlushUsage(fctx); ferr != nil {
		slog.Warn("usage: flush on shutdown", "err", ferr)
	}
	if err != nil && err != http.ErrServerClosed {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// Work runs the job workers until ctx ends, with the health server on
// LMS_WORKER_HEALTH_ADDR. That server outlives the workers' graceful stop,
// so probes still answer while running jobs finish; if it fails, the
// workers stop too (a worker nobody can probe is restarted anyway).
func (a *App) Work(ctx context.Context, concurrency int) error {
	c, err := jobs.NewWorker(a.DB, a.JobSpec(), concurrency)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", a.Config.WorkerHealthAddr)
	if err != nil {
		return fmt.Errorf("worker health: %w", err)
	}
	hctx, stopHealth := context.WithCancel(context.WithoutCancel(ctx))
	wctx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	served := make(chan error, 1)
	var started atomic.Bool // ready only once the job client runs
	go func() {
		served <- serveHealth(hctx, ln, a.workerHealth(&started))
		stopWork()
	}()
	err = jobs.Run(wctx, c, func() { started.Store(true) })
	stopHealth()
	if herr := <-served; herr != nil {
		err = errors.Join(err, fmt.Errorf("worker health: %w", herr))
	}
	return err
}
