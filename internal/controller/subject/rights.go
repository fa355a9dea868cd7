package subject

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/schoolcloud/lms/internal/access"
	"github.com/schoolcloud/lms/internal/identity"
	"github.com/schoolcloud/lms/internal/platform/errs"
)

// Restriction (Art. 18): the person's data stays stored but is left out of
// processing (engagement summaries, analytics, copies and exports to anyone
// but the person) and cannot be changed until an admin lifts it.

// Restrict restricts processing of person's data, with a reason.
func (s *Service) Restrict(ctx context.Context, sc access.Scope, person uuid.UUID, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 2000 || errs.HasControlText(reason) {
		return errs.Field("reason", "say why processing is restricted (1-2000 characters), e.g. the person contests the accuracy of their record")
	}
	return s.setFlag(ctx, sc, person, "subject.restricted", `UPDATE people SET restricted_at = now(), restriction_reason = ? WHERE id = ? AND restricted_at IS NULL`, reason)
}

// Lift ends a restriction.
func (s *Service) Lift(ctx context.Context, sc access.Scope, person uuid.UUID) error {
	return s.setFlag(ctx, sc, person, "subject.restriction-lifted", `UPDATE people SET restricted_at = NULL, restriction_reason = '' WHERE id = ? AND restricted_at IS NOT NULL`)
}

// Object records an upheld objection (Art. 21) to processing on legitimate
// interests: from then on sign-ins keep no device or network record of
// the person (security signals from them stop). uphold false withdraws it.
func (s *Service) Object(ctx context.Context, sc access.Scope, person uuid.UUID, uphold bool) error {
	if uphold {
		return s.setFlag(ctx, sc, person, "subject.objection-upheld", `UPDATE people SET objected_at = now() WHERE id = ? AND objected_at IS NULL`)
	}
	return s.setFlag(ctx, sc, person, "subject.objection-withdrawn", `UPDATE people SET objected_at = NULL WHERE id = ? AND objected_at IS NOT NULL`)
}

// setFlag runs one update of person's controller flags and records it.
func (s *Service) setFlag(ctx context.Context, sc access.Scope, person uuid.UUID, action, q string, args ...any) error {
	return access.Transact(ctx, s.db, sc, func(tx *gorm.DB) error {
		if err := identity.Reach(tx, sc, person, true); err != nil {
			return err
		}
		res := tx.Exec(q, append(args, person)...)
		if res.Error != nil {
			return fmt.Errorf("subject: %s: %w", action, res.Error)
		}
		if res.RowsAffected == 0 {
			return errs.New(errs.ErrConflict, "nothing to change: the person is already in that state")
		}
		if action == "subject.objection-upheld" {
			// Forget what was already kept on that basis.
			if err := tx.Exec(`UPDATE member_credentials SET user_agent = '', ip = '', last_network = '' WHERE person_id = ?`, person).Error; err != nil {
				return err
			}
		}
		return identity.Record(tx, sc, "", action, "person "+person.String(), nil)
	})
}
