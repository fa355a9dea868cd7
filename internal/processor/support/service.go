package support

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/audit"
	"github.com/schoolcloud/lms/internal/platform/database"
	"github.com/schoolcloud/lms/internal/platform/errs"
	"github.com/schoolcloud/lms/internal/platform/localtime"
	"github.com/schoolcloud/lms/internal/processor/alert"
	tenantpkg "github.com/schoolcloud/lms/internal/processor/tenant"
)

// Service files, decides and checks support access.
type Service struct {
	db     *database.DB
	alerts *alert.Service
	now    func() time.Time
	// adequacy are the countries with UK adequacy regulations the
	// sub-processor register accepts besides the UK and the EEA (none
	// unless the deployment names them: AllowAdequacy).
	adequacy map[string]bool
}

// NewService returns a Service; alerts delivers the approvers' alerts.
func NewService(db *database.DB, alerts *alert.Service) *Service {
	return &Service{db: db, alerts: alerts, now: time.Now}
}

// File records a support person's request for access to tenant, alerts the
// tenant's approvers and writes the request to the tenant's audit log, all
// in one transaction. Staff of a sub-processor may ask only tenants that
// authorised it.
func (s *Service) File(ctx context.Context, staff, tenant uuid.UUID, in NewRequest) (Request, error) {
	if err := in.validate(); err != nil {
		return Request{}, err
	}
	st, err := s.staff(ctx, staff)
	if err != nil {
		return Request{}, err
	}
	if st.Role != identity.StaffSupport {
		return Request{}, errs.New(errs.ErrForbidden, "only support staff ask for access")
	}
	now := s.now().UTC()
	r := Request{TenantID: tenant, ID: uuid.Must(uuid.NewV7()), RequesterID: st.ID, RequesterName: st.DisplayName,
		Ticket: in.Ticket, ReasonCode: in.ReasonCode, Justification: in.Justification, Areas: in.Areas,
		CourseIDs: in.CourseIDs, PersonIDs: in.PersonIDs, DurationMinutes: in.DurationMinutes,
		Status: StatePending, RequestedAt: now, PendingUntil: now.Add(PendingFor)}
	err = s.db.Transact(ctx, func(tx *gorm.DB) error {
		if err := access.Enter(tx, access.Contract(tenant, st.ID, "support-request:"+in.Ticket)); err != nil {
			return err
		}
		if st.SubProcessorID != nil {
			if err := authorised(tx, *st.SubProcessorID); err != nil {
				return err
			}
		}
		if err := tx.Create(&r).Error; err != nil {
			return fmt.Errorf("support: file: %w", err)
		}
		if _, err := alert.Raise(tx, tenant, alert.Alert{Kind: "support-request", Audience: identity.RoleApprover,
			Title: fmt.Sprintf("%s asks to read your data (ticket %s)", st.DisplayName, in.Ticket),
			Body:  fmt.Sprintf("Reason: %s. Areas: %s. For %s once approved. The request lapses if nobody decides by %s.", reasonLabel(in.ReasonCode), strings.Join(in.Areas, ", "), minutes(in.DurationMinutes), localtime.DateTime(r.PendingUntil, tenantpkg.ZoneTx(tx, tenant))),
			Link:  "/support-requests/" + r.ID.String()}); err != nil {
			return err
		}
		_, err := audit.Append(tx, tenant, audit.Event{ActorKind: "staff", ActorID: &st.ID, ActorName: st.DisplayName, Basis: string(access.BasisContract),
			Action: "support.requested", Target: "support request " + r.ID.String(), GrantID: &r.ID, Ticket: in.Ticket,
			Detail: map[string]string{"reason_code": in.ReasonCode, "areas": strings.Join(in.Areas, ","), "duration_minutes": fmt.Sprint(in.DurationMinutes)}})
		return err
	})
	if err != nil {
		return Request{}, err
	}
	s.deliverSoon(ctx, tenant)
	r.State = r.state(now)
	return r, nil
}

// deliverSoon posts the new alert now rather than at the next periodic run;
// the alert row is the outbox, so a crash here loses nothing.
func (s *Service) deliverSoon(ctx context.Context, tenant uuid.UUID) {
	if s.alerts == nil {
		return
	}
	go func() { _, _ = s.alerts.Deliver(context.WithoutCancel(ctx), tenant) }()
}

func (in *NewRequest) validate() error {
	var fe errs.FieldErrors
	in.Ticket, in.Justification = strings.TrimSpace(in.Ticket), strings.TrimSpace(in.Justification)
	if in.Ticket == "" || len(in.Ticket) > 100 || errs.HasControl(in.Ticket) {
		fe.Add("ticket", "must be the support ticket's reference (1-100 characters)")
	}
	if reasonLabel(in.ReasonCode) == "" {
		fe.Add("reason_code", "must be one of: %s", strings.Join(reasonCodes(), ", "))
	}
	if in.Justification == "" || len(in.Justification) > 2000 {
		fe.Add("justification", "must say why access is needed (1-2000 characters)")
	}
	if len(in.Areas) == 0 {
		fe.Add("areas", "must name at least one area")
	}
	seen := map[string]bool{}
	for _, a := range in.Areas {
		if _, ok := Areas[a]; !ok || seen[a] {
			fe.Add("areas", "%q is not an area (or is repeated); areas are: people, courses, assignments, discussion, engagement, roster", a)
		}
		seen[a] = true
	}
	slices.Sort(in.Areas)
	if len(in.CourseIDs) > 50 {
		fe.Add("course_ids", "may name at most 50 courses")
	}
	if len(in.PersonIDs) > 50 {
		fe.Add("person_ids", "may name at most 50 people")
	}
	// Named people narrow the people area only: the other areas show people
	// through courses (submissions, posts, engagement), which only named
	// courses narrow. Refusing the mix keeps a grant from promising a limit
	// it cannot keep.
	if len(in.PersonIDs) > 0 && !(len(in.Areas) == 1 && in.Areas[0] == "people") {
		fe.Add("person_ids", "narrows the people area only: ask for people alone, or name courses instead")
	}
	if in.DurationMinutes == 0 {
		in.DurationMinutes = DefaultMinutes
	}
	if in.DurationMinutes < MinMinutes || in.DurationMinutes > MaxMinutes {
		fe.Add("duration_minutes", "must be from %d minutes to %d hours", MinMinutes, MaxMinutes/60)
	}
	if len(in.CourseIDs) == 0 {
		in.CourseIDs = nil
	}
	if len(in.PersonIDs) == 0 {
		in.PersonIDs = nil
	}
	return fe.Err()
}

func reasonLabel(code string) string {
	for _, r := range Reasons {
		if r.Code == code {
			return r.Label
		}
	}
	return ""
}

func reasonCodes() []string {
	out := make([]string, len(Reasons))
	for i, r := range Reasons {
		out[i] = r.Code
	}
	return out
}

func minutes(n int) string {
	if n%60 == 0 {
		return fmt.Sprintf("%d h", n/60)
	}
	return fmt.Sprintf("%d min", n)
}
