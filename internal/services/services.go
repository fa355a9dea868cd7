// Package services is the set of the platform's domain services that both
// front ends (internal/httpapi and internal/web) call, and the one place
// that builds them from configuration and wires them to each other.
package services

import (
	"fmt"
	"slices"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/controller/handback"
	"github.com/schoolcloud/lms/internal/controller/retention"
	"github.com/schoolcloud/lms/internal/controller/ropa"
	"github.com/schoolcloud/lms/internal/controller/subject"

	"github.com/schoolcloud/lms/internal/authz"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/integration"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/comms"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/discussion"
	"github.com/schoolcloud/lms/internal/lms/due"
	"github.com/schoolcloud/lms/internal/lms/engagement"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/lms/gradebook"
	"github.com/schoolcloud/lms/internal/lms/media"
	"github.com/schoolcloud/lms/internal/lms/notify"
	"github.com/schoolcloud/lms/internal/lms/peer"
	"github.com/schoolcloud/lms/internal/lms/quiz"
	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/lms/rostersync"
	"github.com/schoolcloud/lms/internal/lms/survey"
	"github.com/schoolcloud/lms/internal/lms/tutor"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/jobs"
	"github.com/schoolcloud/lms/internal/platform/objstore"
	"github.com/schoolcloud/lms/internal/processor/alert"
	"github.com/schoolcloud/lms/internal/processor/backup"
	"github.com/schoolcloud/lms/internal/processor/breach"
	"github.com/schoolcloud/lms/internal/processor/datause"
	"github.com/schoolcloud/lms/internal/processor/lifecycle"
	"github.com/schoolcloud/lms/internal/processor/records"
	"github.com/schoolcloud/lms/internal/processor/support"
	"github.com/schoolcloud/lms/internal/processor/tenant"
)

// Set is every service of the platform, as New wires them: what
// the API's and the pages' handlers call with the request's scope.
type Set struct {
	Config   config.Config
	DB       *database.DB
	Store    *objstore.Store
	Identity *identity.Service
	Authz    *authz.Authorizer
	Tenants  *tenant.Service
	// Integrations: programs a school registers (OAuth2 client credentials).
	Integrations *integration.Service
	// The processor boundary.
	Support  *support.Service
	Alerts   *alert.Service
	Breaches *breach.Service
	Records  *records.Service
	DataUse  *datause.Service
	// Contract end: deletion and its certificate.
	Lifecycle *lifecycle.Service
	Handback  *handback.Service
	Backups   *backup.Service
	// The controller toolkit.
	Subjects  *subject.Service
	Consents  *consent.Service
	Retention *retention.Service
	Ropa      *ropa.Service
	// The learning core.
	Files       *files.Service
	Courses     *course.Service
	Assignments *assignment.Service
	Quizzes     *quiz.Service
	Gradebook   *gradebook.Service
	Surveys     *survey.Service
	Peers       *peer.Service
	Tutors      *tutor.Service
	Media       *media.Service
	Comms       *comms.Service
	Notify      *notify.Service
	Discussion  *discussion.Service
	Engagement  *engagement.Service
	Roster      *roster.Service
	RosterSync  *rostersync.Service
	Due         *due.Service
}

// New builds every service over an open database and store.
func New(cfg config.Config, db *database.DB, store *objstore.Store) (Set, error) {
	a := Set{Config: cfg, DB: db, Store: store}
	a.Identity = identity.NewService(db, identity.Settings{SessionTTL: cfg.SessionTTL, TokenMaxTTL: cfg.TokenMaxTTL,
		LockAfter: cfg.LoginMaxFailures, LockFor: cfg.LoginLockout, LinkKey: cfg.LedgerKey(),
		SealKey: cfg.BackupIdentity(), StaffTwoStep: cfg.IsProd(), AllowHTTPIssuer: !cfg.IsProd()})
	var err error
	a.Authz, err = authz.New(a.Identity.TenantAssignments)
	if err != nil {
		return Set{}, err
	}
	if a.Integrations, err = integration.NewService(db, cfg.LedgerKey()); err != nil {
		return Set{}, err
	}
	a.Tenants = tenant.NewService(db, store, cfg.IsDev() || cfg.Env == "test")
	a.Tenants.Regions = cfg.Regions
	a.Files = files.NewService(db, store, cfg.DownloadLinkTTL)
	a.Courses = course.NewService(db, a.Files)
	a.Assignments = assignment.NewService(db, a.Files)
	a.Quizzes = quiz.NewService(db)
	a.Gradebook = gradebook.NewService(db)
	a.Surveys = survey.NewService(db, cfg.LedgerKey())
	a.Peers = peer.NewService(db)
	a.Tutors = tutor.NewService(db)
	a.Media = media.NewService(db, a.Files)
	// Deleting a course item takes the learners' work on it with it,
	// files included.
	a.Courses.OnDeleteItems(assignment.DropForItems)
	a.Courses.OnCopy(assignment.CopyForCourse) // a course's copy has its assignments
	a.Courses.OnCopy(quiz.CopyForCourse)       // and its quizzes
	a.Discussion = discussion.NewService(db)
	a.Engagement = engagement.NewService(db)
	a.Roster = roster.NewService(db)
	a.Due = due.NewService(db)
	a.Alerts = alert.NewService(db, alert.NewClient(cfg.IsDev() || cfg.Env == "test"))
	a.Support = support.NewService(db, a.Alerts)
	if err := a.Support.AllowAdequacy(cfg.SubProcessorAdequacy); err != nil {
		return Set{}, fmt.Errorf("configuration: LMS_SUBPROCESSOR_ADEQUACY_COUNTRIES: %w", err)
	}
	a.Breaches = breach.NewService(db, a.Alerts)
	a.Records = records.NewService(a.Tenants, a.Support)
	a.DataUse = datause.NewService(db, store, cfg.PseudonymKey())
	q, err := jobs.NewEnqueuer(db)
	if err != nil {
		return Set{}, err
	}
	a.Subjects = subject.NewService(db, store, a.Files, q, cfg.LedgerKey(), cfg.ExportLinkTTL)
	a.Courses.UseJobs(q) // rollovers are worked in the background
	a.Consents = consent.NewService(db)
	a.Comms = comms.NewService(db, q, cfg.LedgerKey(), cfg.PublicURL, comms.Relay{Addr: cfg.SMTPAddr, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword}, cfg.SMTPFrom)
	a.Comms.Identity = a.Identity
	a.Consents.OnSelfGiven = a.Comms.LiftSuppression
	// Notices: feedback released, replies, announcements (in the
	// transaction of each), due and overdue work (a job).
	a.Notify = notify.NewService(db, a.Comms, cfg.PublicURL)
	// Scheduled roster sync: an MIS delivers files, a job applies them.
	a.RosterSync = rostersync.NewService(db, a.Roster, a.Comms, cfg.PublicURL)
	a.RosterSync.Queue = q
	a.RosterSync.Applied = a.Authz.Invalidate
	// An integration that may deliver roster files has a roster sync
	// credential of its own id, made and revoked with it.
	a.Integrations.OnRegister = func(tx *gorm.DB, in integration.Integration, by *uuid.UUID) error {
		if !slices.Contains(in.Scopes, integration.RosterWrite) {
			return nil
		}
		return rostersync.Mirror(tx, in.TenantID, in.ID, in.Name, by)
	}
	a.Integrations.OnRevoke = func(tx *gorm.DB, in integration.Integration, by *uuid.UUID) error {
		return rostersync.Unmirror(tx, in.ID, by)
	}
	a.Notify.Zone = a.Tenants.Zone
	a.Assignments.OnRelease(a.Notify.FeedbackReleased)
	a.Discussion.OnReply(a.Notify.Replied)
	a.Comms.OnSend(a.Notify.Announced)
	a.Retention = retention.NewService(db, a.Subjects)
	a.Ropa = ropa.NewService(a.Records, a.Retention)
	a.Ropa.Integrations = a.Integrations // recipients on the record
	a.Lifecycle = lifecycle.NewService(db, store, cfg.Signer(), q)
	a.Handback = handback.NewService(db, a.Files, q)
	a.Lifecycle.Handback = a.Handback
	keep, err := config.ParseRetention(cfg.BackupRetention)
	if err != nil {
		return Set{}, fmt.Errorf("LMS_BACKUP_RETENTION: %w", err)
	}
	if a.Backups, err = backup.NewService(db, store, cfg.BackupIdentity(), keep, cfg.BackupLockMode); err != nil {
		return Set{}, err
	}
	a.Backups.Jobs, a.Backups.Eraser = q, a.Subjects
	a.Identity.SetSignInRules(tenant.SignInRules{Tenants: a.Tenants, IsAdmin: a.Authz.IsAdmin})
	return a, nil
}
