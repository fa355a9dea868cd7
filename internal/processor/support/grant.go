package support

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/audit"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Authorize decides a processor staff member's request to a tenant route
// (object, action) and, when a grant allows it, writes the look to the
// tenant's audit log before any data is read, and returns the scope to read
// under. It is checked on every request, so expiry and revocation take
// effect at once, in sessions already open too. target says what is read
// (method and path).
func (s *Service) Authorize(ctx context.Context, tenant uuid.UUID, p identity.Principal, obj, act, target string) (access.Scope, error) {
	if p.Kind == identity.KindStaff && p.StaffRole == identity.StaffOperator {
		return s.authorizeOrder(ctx, tenant, p, obj, act, target)
	}
	if p.Kind != identity.KindStaff || p.StaffRole != identity.StaffSupport {
		return access.Scope{}, errs.New(errs.ErrForbidden, "processor staff have no access to a tenant's data without that tenant's approval")
	}
	sc, _, err := s.authorizeGrant(ctx, tenant, p, obj, act, target)
	if errors.Is(err, errs.ErrForbidden) {
		s.logRefusal(ctx, tenant, p.ID, target, err)
	}
	return sc, err
}

// logRefusal tells the school that support staff tried to look and were
// refused: a school should see probing, not only looks. (Operators'
// refusals are not logged: while a legal notice is deferred, even a refusal
// would tell.) A failure to log does not turn the refusal into access.
func (s *Service) logRefusal(ctx context.Context, tenant, staff uuid.UUID, target string, why error) {
	st, err := s.staff(ctx, staff)
	if err == nil {
		err = access.Transact(ctx, s.db, access.System(tenant, "access-log"), func(tx *gorm.DB) error {
			_, err := audit.Append(tx, tenant, audit.Event{ActorKind: "staff", ActorID: &staff, ActorName: st.DisplayName, Basis: string(access.BasisSupport),
				Action: "support.refused", Target: target, Detail: map[string]string{"reason": strings.TrimSuffix(why.Error(), ": "+errs.ErrForbidden.Error())}})
			return err
		})
	}
	if err != nil {
		slog.ErrorContext(ctx, "support: log refusal", "tenant_id", tenant, "err", err)
	}
}

// authorizeGrant is Authorize for support staff: an approved, unexpired,
// unrevoked grant that covers the object.
func (s *Service) authorizeGrant(ctx context.Context, tenant uuid.UUID, p identity.Principal, obj, act, target string) (access.Scope, Request, error) {
	var grants []Request
	err := s.db.Gorm.WithContext(ctx).Raw(`SELECT * FROM support_requests
		WHERE tenant_id = ? AND requester_id = ? AND status = ? AND starts_at <= now() AND ends_at > now()
		ORDER BY ends_at DESC`, tenant, p.ID, StateApproved).Scan(&grants).Error
	if err != nil {
		return access.Scope{}, Request{}, fmt.Errorf("support: grants: %w", err)
	}
	if len(grants) == 0 {
		return access.Scope{}, Request{}, errs.New(errs.ErrForbidden, "no access to this school's data: it has not approved a request of yours, or the access has ended")
	}
	if act != "read" {
		return access.Scope{}, Request{}, errs.New(errs.ErrForbidden, "support access is read-only")
	}
	var g *Request
	for i := range grants {
		if grants[i].Covers(obj) {
			g = &grants[i]
			break
		}
	}
	if g == nil {
		return access.Scope{}, Request{}, errs.New(errs.ErrForbidden, "The school's approval does not cover this part of its data.")
	}
	g.State = g.state(s.now())
	st, err := s.staff(ctx, p.ID)
	if err != nil {
		return access.Scope{}, Request{}, err
	}
	name := st.DisplayName
	err = access.Transact(ctx, s.db, access.System(tenant, "access-log"), func(tx *gorm.DB) error {
		if st.SubProcessorID != nil { // the school may have withdrawn its authorisation since
			if err := authorised(tx, *st.SubProcessorID); err != nil {
				return err
			}
		}
		_, err := audit.Append(tx, tenant, audit.Event{ActorKind: "staff", ActorID: &p.ID, ActorName: name, Basis: string(access.BasisSupport),
			Action: "support.read", Target: target, GrantID: &g.ID, Ticket: g.Ticket, ApproverName: deref(g.DecidedByName),
			Detail: map[string]string{"object": obj}})
		return err
	})
	if errors.Is(err, errs.ErrForbidden) {
		return access.Scope{}, Request{}, err
	} else if err != nil {
		return access.Scope{}, Request{}, fmt.Errorf("support: log access: %w", err)
	}
	return access.Support(tenant, p.ID, g.ID, g.CourseIDs, g.PersonIDs), *g, nil
}

func (s *Service) staff(ctx context.Context, id uuid.UUID) (identity.Staff, error) {
	return identity.StaffTx(s.db.Gorm.WithContext(ctx), id)
}

// Reading describes what a reading scope stands on, for the banner staff
// see on every page they read: the ticket or order, and when it ends.
type Reading struct {
	Under string
	Until time.Time
}

// ReadingOf looks up the grant or order behind a reading scope.
func (s *Service) ReadingOf(ctx context.Context, sc access.Scope) (Reading, error) {
	id, err := uuid.Parse(sc.Ref())
	if err != nil {
		return Reading{}, err
	}
	var r struct {
		Ref   string
		Until time.Time
	}
	q := `SELECT ticket AS ref, ends_at AS until FROM support_requests WHERE tenant_id = ? AND id = ?`
	under := "support ticket "
	if sc.Basis() == access.BasisLegal {
		q, under = `SELECT reference AS ref, valid_until AS until FROM legal_orders WHERE tenant_id = ? AND id = ?`, "legal obligation "
	}
	if err := s.db.Gorm.WithContext(ctx).Raw(q, sc.Tenant(), id).Scan(&r).Error; err != nil {
		return Reading{}, fmt.Errorf("support: reading: %w", err)
	}
	return Reading{Under: under + r.Ref, Until: r.Until}, nil
}
