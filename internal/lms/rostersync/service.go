// Package rostersync lets a school's MIS sync tool keep the roster up to
// date without a person: an integration credential of the tenant that may
// only deliver OneRoster files, the deliveries it makes, and a schedule
// that applies the latest one through the roster importer (internal/lms/
// roster), with an email to the school's admins when a run fails or is
// held.
//
// A run is idempotent: it claims the latest delivery, marks older ones it
// never reached as superseded, imports (an import of the same files again
// changes nothing) and records the outcome. A worker killed mid-run leaves
// a claim that another takes over after ClaimFor; the end state is the
// same.
package rostersync

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/platform/database"
)

// Importer is the roster importer's entry point (roster.Service.Import).
type Importer interface {
	Import(ctx context.Context, sc access.Scope, files map[string][]byte, dryRun bool) (roster.Import, error)
}

// Mailer starts delivery of a tenant's queued emails (comms.Service).
type Mailer interface {
	QueueDelivery(ctx context.Context, tenant uuid.UUID)
}

// Queue starts a run at once after a delivery (jobs.Enqueuer); nil leaves
// it to the periodic sweep.
type Queue interface {
	Enqueue(ctx context.Context, args river.JobArgs) error
}

// Service holds integrations, deliveries and the schedule.
type Service struct {
	db        *database.DB
	roster    Importer
	mail      Mailer
	publicURL string
	// Queue starts a run as soon as a delivery arrives (optional).
	Queue Queue
	// Applied is told after a run applied a roster (roles may have
	// changed: the authorizer's cache); optional.
	Applied func(tenant uuid.UUID)
	now     func() time.Time
}

// ClaimFor is how long a run's claim on a delivery holds before another
// worker may take it over (the first one died).
const ClaimFor = 10 * time.Minute

// KeepFilesFor is how long the files of a failed delivery are kept.
const KeepFilesFor = 30 * 24 * time.Hour

// NewService builds the service over the roster importer and the mailer.
func NewService(db *database.DB, r Importer, mail Mailer, publicURL string) *Service {
	return &Service{db: db, roster: r, mail: mail, publicURL: publicURL, now: time.Now}
}
