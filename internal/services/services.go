// Package services is the set of the platform's domain services that both
// front ends (internal/httpapi and internal/web) call.
package services

import (
	"github.com/schoolcloud/lms/internal/controller/consent"
	"github.com/schoolcloud/lms/internal/controller/handback"
	"github.com/schoolcloud/lms/internal/controller/retention"
	"github.com/schoolcloud/lms/internal/controller/ropa"
	"github.com/schoolcloud/lms/internal/controller/subject"

	"github.com/schoolcloud/lms/internal/authz"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/lms/assignment"
	"github.com/schoolcloud/lms/internal/lms/comms"
	"github.com/schoolcloud/lms/internal/lms/course"
	"github.com/schoolcloud/lms/internal/lms/discussion"
	"github.com/schoolcloud/lms/internal/lms/engagement"
	"github.com/schoolcloud/lms/internal/lms/files"
	"github.com/schoolcloud/lms/internal/lms/media"
	"github.com/schoolcloud/lms/internal/lms/peer"
	"github.com/schoolcloud/lms/internal/lms/quiz"
	"github.com/schoolcloud/lms/internal/lms/roster"
	"github.com/schoolcloud/lms/internal/lms/survey"
	"github.com/schoolcloud/lms/internal/lms/tutor"
	"github.com/schoolcloud/lms/internal/platform/config"
	"github.com/schoolcloud/lms/internal/platform/database"
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

// Set is every service of the platform, as wired by internal/app: what
// the API's and the pages' handlers call with the request's scope.
type Set struct {
	Config   config.Config
	DB       *database.DB
	Store    *objstore.Store
	Identity *identity.Service
	Authz    *authz.Authorizer
	Tenants  *tenant.Service
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
	Surveys     *survey.Service
	Peers       *peer.Service
	Tutors      *tutor.Service
	Media       *media.Service
	Comms       *comms.Service
	Discussion  *discussion.Service
	Engagement  *engagement.Service
	Roster      *roster.Service
}
