package support

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// A sub-processor's people are processor support staff linked to it:
// operators link and unlink them (lms staff link, the API, the staff
// page). A linked person may ask for access, and read under a grant, only
// in schools that authorised their sub-processor; the link is read on
// every request, so a change holds from the next one.

// StaffMember is one of the processor's staff as operators see them:
// their own people (the processor is their controller), never a school's.
type StaffMember struct {
	ID               uuid.UUID  `json:"id"`
	Email            string     `json:"email"`
	DisplayName      string     `json:"display_name"`
	Role             string     `json:"role"`
	DisabledAt       *time.Time `json:"disabled_at,omitempty"`
	SubProcessorID   *uuid.UUID `json:"sub_processor_id"`
	SubProcessorName string     `json:"sub_processor_name,omitempty"`
}

// StaffLink names the sub-processor a staff member works for.
type StaffLink struct {
	SubProcessorID uuid.UUID `json:"sub_processor_id"`
}

// Staff lists the processor's staff with the sub-processor each works for.
func (s *Service) Staff(ctx context.Context) ([]StaffMember, error) {
	out := []StaffMember{}
	err := s.db.Gorm.WithContext(ctx).Raw(`SELECT st.id, st.email, st.display_name, st.role, st.disabled_at, st.sub_processor_id,
		coalesce(sp.name, '') AS sub_processor_name
		FROM staff st LEFT JOIN sub_processors sp ON sp.id = st.sub_processor_id
		ORDER BY st.role, lower(st.display_name), st.id`).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("support: staff: %w", err)
	}
	return out, nil
}

// StaffByEmail finds a staff member's id by e-mail address (the CLI).
func (s *Service) StaffByEmail(ctx context.Context, email string) (uuid.UUID, error) {
	var ids []uuid.UUID
	if err := s.db.Gorm.WithContext(ctx).Raw(`SELECT id FROM staff WHERE lower(email) = lower(?)`, strings.TrimSpace(email)).
		Scan(&ids).Error; err != nil {
		return uuid.Nil, err
	}
	if len(ids) == 0 {
		return uuid.Nil, errs.New(errs.ErrNotFound, "no staff member %q", email)
	}
	return ids[0], nil
}

// SubProcessorByName finds a sub-processor in use by its id or its exact
// name (the CLI).
func (s *Service) SubProcessorByName(ctx context.Context, nameOrID string) (uuid.UUID, error) {
	var ids []uuid.UUID
	q := s.db.Gorm.WithContext(ctx).Model(&SubProcessor{}).Where("retired_at IS NULL")
	if id, err := uuid.Parse(nameOrID); err == nil {
		q = q.Where("id = ?", id)
	} else {
		q = q.Where("lower(name) = lower(?)", strings.TrimSpace(nameOrID))
	}
	if err := q.Pluck("id", &ids).Error; err != nil {
		return uuid.Nil, err
	}
	if len(ids) != 1 {
		return uuid.Nil, errs.New(errs.ErrNotFound, "no sub-processor in use named %q", nameOrID)
	}
	return ids[0], nil
}

// LinkStaff records, for operator, that support staff member staff works
// for sub-processor sp (in use, not retired): from their next request they
// are refused by every school that has not authorised it.
func (s *Service) LinkStaff(ctx context.Context, operator, staff, sp uuid.UUID) (StaffMember, error) {
	return s.setLink(ctx, operator, staff, &sp)
}

// UnlinkStaff records that staff member staff is the processor's own again.
func (s *Service) UnlinkStaff(ctx context.Context, operator, staff uuid.UUID) (StaffMember, error) {
	return s.setLink(ctx, operator, staff, nil)
}

func (s *Service) setLink(ctx context.Context, operator, staff uuid.UUID, sp *uuid.UUID) (StaffMember, error) {
	err := s.db.Transact(ctx, func(tx *gorm.DB) error {
		if err := mustBeOperator(tx, operator); err != nil {
			return err
		}
		st, err := identity.StaffTx(tx, staff)
		if err != nil {
			return err
		}
		if sp != nil {
			if st.Role != identity.StaffSupport {
				return errs.Field("staff", "only support staff work for a sub-processor; an operator is the processor's own")
			}
			var n int64
			if err := tx.Model(&SubProcessor{}).Where("id = ? AND retired_at IS NULL", *sp).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return errs.Field("sub_processor_id", "names no sub-processor in use")
			}
		}
		return tx.Exec(`UPDATE staff SET sub_processor_id = ? WHERE id = ?`, sp, staff).Error
	})
	if err != nil {
		return StaffMember{}, fmt.Errorf("support: staff sub-processor: %w", err)
	}
	slog.InfoContext(ctx, "support: staff sub-processor changed", "staff_id", staff, "sub_processor_id", sp, "by", operator)
	all, err := s.Staff(ctx)
	for _, m := range all {
		if m.ID == staff {
			return m, err
		}
	}
	return StaffMember{}, err
}

// mustBeOperator refuses anyone but an operator in post (a token or a
// session outlives nothing: the role is read now).
func mustBeOperator(tx *gorm.DB, id uuid.UUID) error {
	if id == uuid.Nil {
		return nil // the CLI, run by whoever holds the database
	}
	st, err := identity.StaffTx(tx, id)
	if err != nil {
		return err
	}
	if st.Role != identity.StaffOperator || st.DisabledAt != nil {
		return errs.New(errs.ErrForbidden, "only operators link staff to sub-processors")
	}
	return nil
}
