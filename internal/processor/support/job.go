package support

import (
	"context"

	"github.com/riverqueue/river"
)

// NoticeArgs is the periodic job that gives deferred legal notices whose
// latest day has come.
type NoticeArgs struct{}

// Kind names the job.
func (NoticeArgs) Kind() string { return "legal_notice" }

// NoticeWorker works NoticeArgs; giving a notice locks the order's row, so
// two workers never give one twice.
type NoticeWorker struct {
	river.WorkerDefaults[NoticeArgs]
	Service *Service
}

// Work gives the due notices.
func (w *NoticeWorker) Work(ctx context.Context, _ *river.Job[NoticeArgs]) error {
	_, err := w.Service.GiveDueNotices(ctx)
	return err
}
